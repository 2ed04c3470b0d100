import Foundation
import Numerics
import SafeTensors
import Tokenizers
import Hashing

/// Reads tensors by name with shape checks, mapping safetensors errors to ModelError.
struct TensorSource {
    let file: SafeTensorsFile
    let prefix: String
    /// How Linear weights are packed (exact: the checkpoint dtype; bf16 / int8: see `Precision`).
    var precision: Precision = .exact

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

    /// A gathered table: read in place from the mapped file when `keep16` and the file is 16-bit
    /// (pages become resident as rows are used), else copied as Float.
    func matrix(_ name: String, rows: Int, cols: Int, keep16: Bool = false) throws -> WeightMatrix {
        let t = try info(name, shape: [rows, cols])
        do {
            if keep16 && (t.dtype == .BF16 || t.dtype == .F16) {
                return WeightMatrix(rows: rows, cols: cols,
                                    storage: .mapped(try file.rawBytes(prefix + name), bf16: t.dtype == .BF16, file: file))
            }
            return WeightMatrix(rows: rows, cols: cols, storage: .f32(try file.floats(prefix + name)))
        } catch { throw ModelError.checkpoint("\(error)") }
    }

    /// Linear weights [Σ rows, cols] packed for the GEMM straight from the mapped file, in the
    /// checkpoint's dtype (bf16 stays bf16: no widened copy). Several names are stacked along
    /// the output axis (BERT's q, k, v); then they are copied once into one buffer first.
    func packed(_ names: [String], rows: [Int], cols: Int) throws -> PackedWeights {
        let infos = try zip(names, rows).map { try info($0, shape: [$1, cols]) }
        let total = rows.reduce(0, +)
        func dtype(_ d: DType) -> WeightDType? { d == .F32 ? .f32 : d == .BF16 ? .bf16 : d == .F16 ? .f16 : nil }
        guard let dt = dtype(infos[0].dtype) else {
            throw ModelError.checkpoint("\(file.path): tensor \(prefix + names[0]) has dtype \(infos[0].dtype.rawValue); "
                + "Linear weights must be F32, BF16 or F16 (convert the checkpoint)")
        }
        defer { for n in names { file.releasePages(prefix + n) } }
        do {
            if names.count == 1 {
                let raw = try file.rawBytes(prefix + names[0])
                return try precision.pack(raw.baseAddress!, source: dt, rows: total, cols: cols)
            }
            if infos.allSatisfy({ $0.dtype == infos[0].dtype }) {
                var bytes = [UInt8]()
                bytes.reserveCapacity(total * cols * dt.size)
                for n in names { bytes += try file.rawBytes(prefix + n) }
                return try bytes.withUnsafeBytes { try precision.pack($0.baseAddress!, source: dt, rows: total, cols: cols) }
            }
            var all = [Float]()
            for n in names { all += try file.floats(prefix + n) }
            return try all.withUnsafeBytes { try precision.pack($0.baseAddress!, source: .f32, rows: total, cols: cols) }
        } catch let e as KernelError {
            throw ModelError.checkpoint("\(file.path): tensor \(prefix + names[0]): \(e)")
        } catch let e as ModelError { throw e } catch { throw ModelError.checkpoint("\(error)") }
    }
}

extension EmbeddingModel {
    /// Loads a model folder: config.json, model.safetensors, optional tokenizer.json and the
    /// sentence-transformers side files. jina-v3 layout (rotary, fused Wqkv, LoRA) or BERT / XLM-R.
    /// Linear matrices are packed once in the checkpoint's dtype (bf16 / f16 / f32) and widened
    /// inside the GEMM, so a bf16 checkpoint takes 2 bytes per weight in memory.
    /// `precision`: how the Linear layers multiply (`Precision`; exact by default). bf16 and int8 are
    /// NOT exact; the fingerprint includes the precision so cached vectors of different precisions
    /// never mix.
    public static func load(directory: URL, precision: Precision = .exact) throws -> EmbeddingModel {
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
        if precision == .exact { _ = FastKernels.shapeCalibration }  // the exact kernels' tile shape, once per process
        let weights = try buildWeights(file: file, config: config, precision: precision)

        // A tokenizer.json that is there but broken is an error (never a model that silently cannot read text).
        var tokenizer: Tokenizer? = nil
        let tokURL = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: tokURL.path) {
            do { tokenizer = try Tokenizer(contentsOf: tokURL) } catch {
                throw ModelError.invalidConfig(path: tokURL.path, reason: "\(error) (download the model's tokenizer.json again)")
            }
        }
        let configBytes: Data
        do { configBytes = try Data(contentsOf: directory.appendingPathComponent("config.json")) } catch {
            throw ModelError.missingFile("\(directory.appendingPathComponent("config.json").path): \(error.localizedDescription)")
        }
        let fingerprint = SHA256.hex(SHA256.hash(Array(configBytes) + file.headerBytes + precision.fingerprintSalt))
        let maxLength = min(config.maxSequenceLength ?? config.maxPositionEmbeddings,
                            config.positions == .absolute ? config.maxPositionEmbeddings - config.positionOffset
                                                          : Int.max)
        let name = displayName(directory: directory)
        return EmbeddingModel(name: name, config: config, tokenizer: tokenizer, fingerprint: fingerprint,
                              maxLength: maxLength, weights: weights, precision: precision)
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

    static func buildWeights(file: SafeTensorsFile, config c: ModelConfig, precision: Precision = .exact) throws -> ModelWeights {
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
