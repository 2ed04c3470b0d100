import Foundation
import JinaEmbeddings

/// The input is `config.json`, then (separated by NUL bytes) `sentence_bert_config.json`,
/// `tokenizer_config.json`, `modules.json` and `1_Pooling/config.json` (an empty part = no such file),
/// after a first byte that picks the checkpoint beside them: jina-tiny (rotary, LoRA) when even, a tiny
/// BERT layout when odd. Loading either fails with a clear error, or gives a model whose every
/// advertised dimension and task works on token ids inside its limits, and which refuses ids outside them.
final class ModelConfigHarness: Harness {
    static let sideFiles = ["config.json", "sentence_bert_config.json", "tokenizer_config.json", "modules.json", "1_Pooling/config.json"]
    /// One folder per checkpoint, the checkpoint linked in once; each input rewrites the side files.
    private let folders: [URL]
    private let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-fuzz-config-\(UUID().uuidString)")

    init(fixtures: URL) throws {
        let jina = root.appendingPathComponent("jina"), bert = root.appendingPathComponent("bert")
        for dir in [jina, bert] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        }
        let jinaCheckpoint = jina.appendingPathComponent("model.safetensors")
        if !FileManager.default.fileExists(atPath: jinaCheckpoint.path) {
            try FileManager.default.createSymbolicLink(at: jinaCheckpoint,
                                                       withDestinationURL: fixtures.appendingPathComponent("jina-tiny/model.safetensors"))
        }
        try Data(TinyBERT.checkpoint()).write(to: bert.appendingPathComponent("model.safetensors"))
        folders = [jina, bert]
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func run(_ input: [UInt8]) throws {
        guard let selector = input.first else { return }
        let dir = folders[Int(selector & 1)]
        let parts = Array(input.dropFirst()).nulSeparated()
        for (i, name) in Self.sideFiles.enumerated() {
            let url = dir.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: url)
            if i < parts.count && !parts[i].isEmpty { try Data(parts[i]).write(to: url) }
        }
        let model: EmbeddingModel
        do { model = try EmbeddingModel.load(directory: dir) } catch { return }
        try exercise(model)
    }

    private func exercise(_ model: EmbeddingModel) throws {
        let hidden = model.hiddenSize, vocab = model.config.vocabSize
        try require(model.dimensions.allSatisfy { $0 >= 1 && $0 <= hidden }, "dimensions \(model.dimensions.prefix(9)) outside 1…\(hidden)")
        // The longest row the model accepts by default reaches the last position it has a weight for.
        let length = min(max(model.maxLength, 1), 64)
        let rows: [[Int32]] = [[0, Int32(min(2, vocab - 1))], (0..<length).map { Int32($0 % vocab) }]
        for task in [nil] + model.tasks.prefix(1).map(Optional.some) {
            let vectors: [[Float]]
            do { vectors = try model.embed(ids: rows, tasks: [task]) } catch { continue }
            try require(vectors.count == rows.count && vectors.allSatisfy { $0.count == hidden },
                        "\(vectors.count) vectors of \(vectors.map(\.count)) for \(rows.count) rows of hidden size \(hidden)")
            for d in model.dimensions.prefix(8) {
                try model.validate(dimension: d)
                try require(EmbeddingModel.truncate(vectors[0], to: d).count == d, "truncation to \(d)")
            }
        }
        for bad: [Int32] in [[Int32(vocab)], [-1]] {
            let accepted = (try? model.embed(ids: [bad], tasks: [nil])) != nil
            try require(!accepted, "token id \(bad[0]) outside the vocabulary 0..<\(vocab) was embedded")
        }
    }
}

/// A BERT-layout checkpoint small enough to write on every start: hidden 32, 2 heads, 1 layer,
/// intermediate 64, vocabulary 64, 40 positions, 2 token types (f32, fixed pseudo-random values).
/// `Tests/FuzzCorpus/model-config/` has its matching config.
enum TinyBERT {
    static func checkpoint() -> [UInt8] {
        let D = 32, F = 64
        var tensors: [(String, [Int])] = [
            ("embeddings.word_embeddings.weight", [64, D]), ("embeddings.position_embeddings.weight", [40, D]),
            ("embeddings.token_type_embeddings.weight", [2, D]),
            ("embeddings.LayerNorm.weight", [D]), ("embeddings.LayerNorm.bias", [D]),
        ]
        let p = "encoder.layer.0."
        for part in ["query", "key", "value"] {
            tensors += [(p + "attention.self.\(part).weight", [D, D]), (p + "attention.self.\(part).bias", [D])]
        }
        tensors += [
            (p + "attention.output.dense.weight", [D, D]), (p + "attention.output.dense.bias", [D]),
            (p + "attention.output.LayerNorm.weight", [D]), (p + "attention.output.LayerNorm.bias", [D]),
            (p + "intermediate.dense.weight", [F, D]), (p + "intermediate.dense.bias", [F]),
            (p + "output.dense.weight", [D, F]), (p + "output.dense.bias", [D]),
            (p + "output.LayerNorm.weight", [D]), (p + "output.LayerNorm.bias", [D]),
        ]
        var header: [String] = []
        var data: [UInt8] = []
        var state: UInt32 = 12345
        for (name, shape) in tensors {
            let count = shape.reduce(1, *)
            header.append("\"\(name)\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[\(data.count),\(data.count + 4 * count)]}")
            for _ in 0..<count {
                state = state &* 1_664_525 &+ 1_013_904_223  // LCG: values in [-0.1, 0.1)
                let v = name.hasSuffix("LayerNorm.weight") ? 1 : (Float(state >> 8) / Float(1 << 24) - 0.5) * 0.2
                withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 }
            }
        }
        let json = Array(("{" + header.joined(separator: ",") + "}").utf8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json + data
    }
}
