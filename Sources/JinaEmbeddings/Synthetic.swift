import Foundation
import Numerics

extension EmbeddingModel {
    /// Random weights with the real jina-embeddings-v3 dimensions, built in memory (benchmarks;
    /// no file needed). Every matrix is bf16 like the checkpoint and packed as on load (no f32
    /// copies). Known names: "jina-v3" (full size), "jina-tiny". `precision`: see `load(directory:precision:)`.
    public static func synthetic(_ name: String, seed: UInt64 = 0, precision: Precision = .exact) throws -> EmbeddingModel {
        var c = ModelConfig()
        switch name {
        case "jina-v3", "jina-embeddings-v3":
            c.hiddenSize = 1024; c.numLayers = 24; c.numHeads = 16; c.intermediateSize = 4096; c.vocabSize = 250002
            c.matryoshkaDimensions = [32, 64, 128, 256, 512, 768, 1024]
        case "jina-tiny":
            c.hiddenSize = 64; c.numLayers = 2; c.numHeads = 4; c.intermediateSize = 128; c.vocabSize = 1000
            c.matryoshkaDimensions = [8, 16, 32, 64]
        default:
            throw ModelError.invalidInput("unknown synthetic model '\(name)'; known: jina-v3, jina-tiny")
        }
        c.modelType = "xlm-roberta"
        c.typeVocabSize = 1; c.maxPositionEmbeddings = 8194; c.positions = .rotary; c.rotaryBase = 20000
        c.layerNormEps = 1e-5; c.padTokenId = 1
        c.loraAdaptations = ["retrieval.query", "retrieval.passage", "separation", "classification", "text-matching"]
        c.loraRank = 4; c.loraAlpha = 1
        c.taskInstructions = [
            "retrieval.query": "Represent the query for retrieving evidence documents: ",
            "retrieval.passage": "Represent the document for retrieval: ",
            "separation": "", "classification": "", "text-matching": "",
        ]
        c.maxSequenceLength = 8194
        if precision == .exact { _ = FastKernels.shapeCalibration }  // the exact kernels' tile shape, once per process
        var g = Generator(seed: seed)
        let D = c.hiddenSize, F = c.intermediateSize, n = 5, r = 4, s = c.loraScaling

        func table(_ rows: Int, _ cols: Int) -> WeightMatrix {
            WeightMatrix(rows: rows, cols: cols, storage: .bf16(g.bf16(rows * cols, scale: 1 / Float(cols).squareRoot())))
        }
        func linear(_ out: Int, _ inn: Int) throws -> Linear {
            // One bf16 matrix at a time (≤ 32 MB), packed, then released.
            let bits = g.bf16(out * inn, scale: 1 / Float(inn).squareRoot())
            let w = try bits.withUnsafeBytes { try precision.pack($0.baseAddress!, source: .bf16, rows: out, cols: inn) }
            return Linear(weight: w, bias: g.floats(out, scale: 0.02),
                          lora: try LinearLoRA(count: n, rank: r, a: g.bf16Floats(n * r * inn, scale: 0.05),
                                               b: g.bf16Floats(n * out * r, scale: 0.05), inFeatures: inn,
                                               outFeatures: out, scaling: s))
        }
        func norm() -> LayerNormWeights {
            LayerNormWeights(gamma: [Float](repeating: 1, count: D), beta: [Float](repeating: 0, count: D), eps: c.layerNormEps)
        }
        func embeddingTable(_ rows: Int) -> EmbeddingTable {
            EmbeddingTable(table: table(rows, D), loraA: g.floats(n * rows * r, scale: 0.05),
                           loraB: g.floats(n * r * D, scale: 0.05), loraCount: n, rank: r, scaling: s)
        }
        let word = embeddingTable(c.vocabSize), tt = embeddingTable(1)
        let layers = try (0..<c.numLayers).map { _ in
            EncoderLayer(qkv: try linear(3 * D, D), outProj: try linear(D, D), norm1: norm(),
                         fc1: try linear(F, D), fc2: try linear(D, F), norm2: norm())
        }
        let weights = ModelWeights(word: word, tokenType: tt, position: nil, embNorm: norm(), layers: layers)
        return EmbeddingModel(name: "synthetic \(name)", config: c, tokenizer: nil,
                              fingerprint: "synthetic-\(name)-\(seed)" + (precision == .exact ? "" : "-\(precision.rawValue)"),
                              maxLength: 8194, weights: weights, precision: precision)
    }
}

/// SplitMix64 → uniform floats in [-scale, scale]; fast enough for 570 M values.
private struct Generator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x1234_5678_9ABC_DEF0 }

    @inline(__always) mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }

    /// Values that are exactly bf16, like every tensor of the published checkpoint.
    mutating func bf16Floats(_ count: Int, scale: Float) -> [Float] {
        floats(count, scale: scale).map { Float(bitPattern: $0.bitPattern & 0xffff_0000) }
    }

    mutating func floats(_ count: Int, scale: Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buf, initialized in
            let k = scale / Float(1 << 23)
            var i = 0
            while i < count {
                let v = next()
                buf[i] = (Float(Int32(truncatingIfNeeded: v) >> 8)) * k
                if i + 1 < count { buf[i + 1] = Float(Int32(truncatingIfNeeded: v >> 32) >> 8) * k }
                i += 2
            }
            initialized = count
        }
    }

    mutating func bf16(_ count: Int, scale: Float) -> [UInt16] {
        [UInt16](unsafeUninitializedCapacity: count) { buf, initialized in
            let k = scale / Float(1 << 23)
            for i in 0..<count {
                buf[i] = HalfFloat.f32ToBF16(Float(Int32(truncatingIfNeeded: next()) >> 8) * k)
            }
            initialized = count
        }
    }
}
