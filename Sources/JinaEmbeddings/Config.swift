import Foundation

/// Everything the encoder needs from config.json and the sentence-transformers side files.
/// Field names follow config.json (mapped once here); defaults are the Hugging Face ones.
public struct ModelConfig: Sendable {
    public enum Positions: String, Sendable { case rotary, absolute }

    public var modelType: String = ""
    public var hiddenSize: Int = 0
    public var numLayers: Int = 0
    public var numHeads: Int = 0
    public var intermediateSize: Int = 0
    public var vocabSize: Int = 0
    public var typeVocabSize: Int = 1
    public var maxPositionEmbeddings: Int = 512
    public var positions: Positions = .absolute
    /// RoPE base (`rotary_emb_base`, 10000 when absent).
    public var rotaryBase: Double = 10000
    public var layerNormEps: Float = 1e-12
    public var padTokenId: Int = 1
    public var hiddenAct: String = "gelu"
    public var loraAdaptations: [String] = []
    public var loraRank: Int = 0
    public var loraAlpha: Float = 1
    public var matryoshkaDimensions: [Int]? = nil
    public var taskInstructions: [String: String] = [:]
    /// sentence_bert_config.json `max_seq_length`, or tokenizer_config `model_max_length`.
    public var maxSequenceLength: Int? = nil
    /// 1_Pooling/config.json: mean (default) or cls.
    public var poolingMode: String = "mean"

    public init() {}

    public var headDim: Int { numHeads > 0 ? hiddenSize / numHeads : 0 }
    /// LoRA scaling = alpha / rank (0.25 for jina-v3).
    public var loraScaling: Float { loraRank > 0 ? loraAlpha / Float(loraRank) : 0 }
    /// RoBERTa-family absolute positions start after the padding index (HF create_position_ids).
    public var positionOffset: Int {
        positions == .absolute && modelType.contains("roberta") ? padTokenId + 1 : 0
    }

    /// Parses config.json text (`path` is for messages).
    public static func parse(configJSON data: Data, path: String) throws -> ModelConfig {
        func bad(_ why: String) -> ModelError { .invalidConfig(path: path, reason: why) }
        guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw bad("not a JSON object")
        }
        func int(_ k: String) -> Int? { Self.wholeNumber(obj[k]) }
        func req(_ k: String) throws -> Int {
            guard let v = int(k), v > 0 else { throw bad("\(k) is missing or not a positive integer") }
            return v
        }
        var c = ModelConfig()
        c.modelType = obj["model_type"] as? String ?? ""
        c.hiddenSize = try req("hidden_size")
        c.numLayers = try req("num_hidden_layers")
        c.numHeads = try req("num_attention_heads")
        c.intermediateSize = try req("intermediate_size")
        c.vocabSize = try req("vocab_size")
        c.typeVocabSize = int("type_vocab_size") ?? 1
        c.maxPositionEmbeddings = int("max_position_embeddings") ?? 512
        c.padTokenId = int("pad_token_id") ?? (c.modelType == "bert" ? 0 : 1)
        if let e = obj["layer_norm_eps"] as? NSNumber { c.layerNormEps = e.floatValue }
        c.hiddenAct = obj["hidden_act"] as? String ?? "gelu"
        let posType = obj["position_embedding_type"] as? String ?? "absolute"
        switch posType {
        case "rotary": c.positions = .rotary
        case "absolute": c.positions = .absolute
        default: throw bad("position_embedding_type \(posType) is not supported (rotary or absolute)")
        }
        if let b = obj["rotary_emb_base"] as? NSNumber { c.rotaryBase = b.doubleValue }
        c.loraAdaptations = obj["lora_adaptations"] as? [String] ?? []
        c.loraRank = int("lora_rank") ?? (c.loraAdaptations.isEmpty ? 0 : 4)
        c.loraAlpha = (obj["lora_alpha"] as? NSNumber)?.floatValue ?? 1
        if let dims = obj["matryoshka_dimensions"] as? [Any] {
            let sizes = dims.compactMap(Self.wholeNumber).sorted()
            // Every advertised size must be one a vector can be truncated to.
            guard sizes.count == dims.count, let first = sizes.first, first >= 1, sizes.last! <= c.hiddenSize else {
                throw bad("matryoshka_dimensions \(dims) must be sizes in 1…hidden_size (\(c.hiddenSize))")
            }
            c.matryoshkaDimensions = sizes
        }
        if let ti = obj["task_instructions"] as? [String: Any] {
            for (k, v) in ti { c.taskInstructions[k] = v as? String ?? "" }
        }
        guard c.hiddenSize % c.numHeads == 0 else {
            throw bad("hidden_size \(c.hiddenSize) is not a multiple of num_attention_heads \(c.numHeads)")
        }
        if c.positions == .rotary && c.headDim % 2 != 0 { throw bad("rotary needs an even head size") }
        // Only the exact erf GELU is implemented; the tanh variants would give silently different vectors.
        guard ["gelu", "gelu_python"].contains(c.hiddenAct) else {
            throw bad("hidden_act \(c.hiddenAct) is not supported (loupe implements the exact erf \"gelu\")")
        }
        if !c.loraAdaptations.isEmpty && c.loraRank <= 0 { throw bad("lora_rank must be positive") }
        return c
    }

    /// A JSON number that is a whole number fitting an Int (1e300 or 2.5: nil, never a trap).
    static func wholeNumber(_ value: Any?) -> Int? {
        guard let n = value as? NSNumber else { return nil }
        return Int(exactly: n.doubleValue)
    }

    /// Reads config.json plus the side files of a model folder.
    public static func load(directory: URL) throws -> ModelConfig {
        let url = directory.appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: url) else { throw ModelError.missingFile(url.path) }
        var c = try parse(configJSON: data, path: url.path)
        try c.readSideFiles(directory: directory)
        return c
    }

    /// sentence_bert_config.json (max_seq_length), tokenizer_config.json (model_max_length),
    /// modules.json → pooling folder → pooling mode.
    mutating func readSideFiles(directory: URL) throws {
        func json(_ rel: String) -> [String: Any]? {
            guard let d = try? Data(contentsOf: directory.appendingPathComponent(rel)) else { return nil }
            return (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
        }
        if let sb = json("sentence_bert_config.json"), let m = Self.wholeNumber(sb["max_seq_length"]), m > 0 {
            maxSequenceLength = m
        } else if let tc = json("tokenizer_config.json"), let m = (tc["model_max_length"] as? NSNumber)?.doubleValue,
                  m > 0, m < 1e7 {
            maxSequenceLength = Int(m)
        }
        var poolingDir = "1_Pooling"
        if let d = try? Data(contentsOf: directory.appendingPathComponent("modules.json")),
           let mods = (try? JSONSerialization.jsonObject(with: d)) as? [[String: Any]] {
            for m in mods where (m["type"] as? String ?? "").hasSuffix("Pooling") {
                if let p = m["path"] as? String, !p.isEmpty { poolingDir = p }
            }
        }
        if let p = json(poolingDir + "/config.json") {
            if p["pooling_mode_cls_token"] as? Bool == true { poolingMode = "cls" }
            if p["pooling_mode_mean_tokens"] as? Bool == true { poolingMode = "mean" }
            if p["pooling_mode_max_tokens"] as? Bool == true || p["pooling_mode_mean_sqrt_len_tokens"] as? Bool == true,
               p["pooling_mode_mean_tokens"] as? Bool != true {
                throw ModelError.invalidConfig(path: directory.appendingPathComponent(poolingDir).path,
                                               reason: "only mean or CLS pooling is supported")
            }
        }
    }
}
