import Foundation
import Numerics
import SafeTensors
import Tokenizers

/// How 16-bit checkpoint matrices are kept in memory.
public enum WeightPrecision: String, Sendable {
    /// Widen every Linear matrix to Float once at load (fastest with OpenBLAS; ~2× the memory).
    case widenAtLoad
    /// Keep bf16/f16 as in the file and widen tiles inside each product (half the memory).
    case keep16Bit
}

/// Reads tensors by name with shape checks, mapping safetensors errors to ModelError.
struct TensorSource {
    let file: SafeTensorsFile
    let prefix: String
    let precision: WeightPrecision

    func has(_ name: String) -> Bool { file.tensors[prefix + name] != nil }

    func info(_ name: String, shape: [Int]) throws -> TensorInfo {
        guard let t = file.tensors[prefix + name] else {
            throw ModelError.missingTensor(file: file.path, name: prefix + name)
        }
        guard t.shape == shape else {
            throw ModelError.wrongShape(file: file.path, name: prefix + name, expected: shape, actual: t.shape)
        }
        return t
    }

    func floats(_ name: String, shape: [Int]) throws -> [Float] {
        _ = try info(name, shape: shape)
        do { return try file.floats(prefix + name) } catch { throw ModelError.checkpoint("\(error)") }
    }

    /// A matrix kept in its 16-bit form when `keep16Bit` (or `force16` for the big tables).
    func matrix(_ name: String, rows: Int, cols: Int, force16: Bool = false) throws -> WeightMatrix {
        let t = try info(name, shape: [rows, cols])
        let keep = (precision == .keep16Bit || force16) && (t.dtype == .BF16 || t.dtype == .F16)
        do {
            if keep {
                let bits = try file.bits16(prefix + name)
                return WeightMatrix(rows: rows, cols: cols, storage: t.dtype == .BF16 ? .bf16(bits) : .f16(bits))
            }
            return WeightMatrix(rows: rows, cols: cols, storage: .f32(try file.floats(prefix + name)))
        } catch { throw ModelError.checkpoint("\(error)") }
    }
}

extension EmbeddingModel {
    /// Loads a model folder: config.json, model.safetensors, optional tokenizer.json and the
    /// sentence-transformers side files. jina-v3 layout (rotary, fused Wqkv, LoRA) or BERT / XLM-R.
    public static func load(directory: URL) throws -> EmbeddingModel {
        try load(directory: directory, precision: .widenAtLoad)
    }

    public static func load(directory: URL, precision: WeightPrecision) throws -> EmbeddingModel {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw ModelError.missingFile(directory.path + " (expected a model folder with config.json and model.safetensors)")
        }
        let config = try ModelConfig.load(directory: directory)
        let stURL = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: stURL.path) else {
            throw ModelError.missingFile(stURL.path + " (only safetensors checkpoints are supported)")
        }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(url: stURL) } catch { throw ModelError.checkpoint("\(error)") }
        let weights = try buildWeights(file: file, config: config, precision: precision)

        // A tokenizer that fails to load does not stop token-id input; text input reports it.
        var tokenizer: Tokenizer? = nil
        var tokenizerError: ModelError? = nil
        let tokURL = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: tokURL.path) {
            do { tokenizer = try Tokenizer(contentsOf: tokURL) } catch {
                tokenizerError = .invalidConfig(path: tokURL.path, reason: "\(error)")
            }
        }
        let configBytes = (try? Data(contentsOf: directory.appendingPathComponent("config.json"))) ?? Data()
        let fingerprint = SHA256.hex(Array(configBytes) + file.headerBytes)
        let maxLength = min(config.maxSequenceLength ?? config.maxPositionEmbeddings,
                            config.positions == .absolute ? config.maxPositionEmbeddings - config.positionOffset
                                                          : Int.max)
        let name = displayName(directory: directory)
        return EmbeddingModel(name: name, config: config, tokenizer: tokenizer, fingerprint: fingerprint,
                              maxLength: maxLength, weights: weights, tokenizerError: tokenizerError)
    }

    /// "jina-embeddings-v3" for an HF snapshot folder, else the folder name.
    static func displayName(directory: URL) -> String {
        let comps = directory.standardizedFileURL.pathComponents
        if let i = comps.lastIndex(where: { $0 == "snapshots" }), i > 0, comps[i - 1].hasPrefix("models--"),
           let last = comps[i - 1].components(separatedBy: "--").last {
            return last
        }
        return directory.standardizedFileURL.lastPathComponent
    }

    static func buildWeights(file: SafeTensorsFile, config c: ModelConfig, precision: WeightPrecision) throws -> ModelWeights {
        let prefixes = ["", "roberta.", "bert.", "model."]
        guard let prefix = prefixes.first(where: { p in
            file.tensors[p + "embeddings.word_embeddings.weight"] != nil
                || file.tensors[p + "embeddings.word_embeddings.parametrizations.weight.original"] != nil
        }) else {
            throw ModelError.missingTensor(file: file.path, name: "embeddings.word_embeddings.weight")
        }
        let src = TensorSource(file: file, prefix: prefix, precision: precision)
        let jinaLayout = src.has("encoder.layers.0.mixer.Wqkv.parametrizations.weight.original")
            || src.has("encoder.layers.0.mixer.Wqkv.weight")
        let loader = WeightLoader(src: src, config: c)
        return jinaLayout ? try loader.jina() : try loader.bert()
    }
}
