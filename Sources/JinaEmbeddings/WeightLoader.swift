import Foundation

/// Maps checkpoint tensor names to the encoder's weights (jina-v3 and BERT / XLM-R layouts).
struct WeightLoader {
    let src: TensorSource
    let config: ModelConfig
    var D: Int { config.hiddenSize }
    var n: Int { config.loraAdaptations.count }
    var r: Int { config.loraRank }

    /// `base.parametrizations.weight.original` (+ LoRA) or plain `base.weight`.
    private func weightName(_ base: String) -> String {
        let p = base + ".parametrizations.weight.original"
        return src.has(p) ? p : base + ".weight"
    }

    func linear(_ base: String, out: Int, inn: Int, bias: Bool = true) throws -> Linear {
        let w = try src.packed([weightName(base)], rows: [out], cols: inn)
        let b = bias ? try src.floats(base + ".bias", shape: [out]) : nil
        var lora: LinearLoRA? = nil
        let aName = base + ".parametrizations.weight.0.lora_A", bName = base + ".parametrizations.weight.0.lora_B"
        if n > 0, src.has(aName) {
            lora = try LinearLoRA(count: n, rank: r, a: try src.floats(aName, shape: [n, r, inn]),
                                  b: try src.floats(bName, shape: [n, out, r]), inFeatures: inn, outFeatures: out,
                                  scaling: config.loraScaling)
        }
        return Linear(weight: w, bias: b, lora: lora)
    }

    func embedding(_ base: String, rows: Int, keep16: Bool) throws -> EmbeddingTable {
        let w = try src.matrix(weightName(base), rows: rows, cols: D, keep16: keep16)
        let aName = base + ".parametrizations.weight.0.lora_A", bName = base + ".parametrizations.weight.0.lora_B"
        if n > 0, src.has(aName) {
            return EmbeddingTable(table: w, loraA: try src.floats(aName, shape: [n, rows, r]),
                                  loraB: try src.floats(bName, shape: [n, r, D]), loraCount: n, rank: r,
                                  scaling: config.loraScaling)
        }
        return EmbeddingTable(table: w, loraA: nil, loraB: nil, loraCount: 0, rank: 0, scaling: 0)
    }

    func norm(_ base: String) throws -> LayerNormWeights {
        LayerNormWeights(gamma: try src.floats(base + ".weight", shape: [D]),
                         beta: try src.floats(base + ".bias", shape: [D]), eps: config.layerNormEps)
    }

    /// jina-embeddings-v3: emb_ln, encoder.layers.N.{mixer.Wqkv, mixer.out_proj, norm1, mlp.fc1, mlp.fc2, norm2}.
    func jina() throws -> ModelWeights {
        let F = config.intermediateSize
        // The word table is the largest tensor (250002 × 1024): always keep it 16-bit when it is.
        let word = try embedding("embeddings.word_embeddings", rows: config.vocabSize, keep16: true)
        let tt = src.has("embeddings.token_type_embeddings.parametrizations.weight.original")
            || src.has("embeddings.token_type_embeddings.weight")
            ? try embedding("embeddings.token_type_embeddings", rows: config.typeVocabSize, keep16: false) : nil
        var pos: WeightMatrix? = nil
        if config.positions == .absolute {
            pos = try src.matrix("embeddings.position_embeddings.weight", rows: config.maxPositionEmbeddings, cols: D)
        }
        let layers = try (0..<config.numLayers).map { i -> EncoderLayer in
            let p = "encoder.layers.\(i)."
            return EncoderLayer(
                qkv: try linear(p + "mixer.Wqkv", out: 3 * D, inn: D),
                outProj: try linear(p + "mixer.out_proj", out: D, inn: D),
                norm1: try norm(p + "norm1"),
                fc1: try linear(p + "mlp.fc1", out: F, inn: D),
                fc2: try linear(p + "mlp.fc2", out: D, inn: F),
                norm2: try norm(p + "norm2"))
        }
        return ModelWeights(word: word, tokenType: tt, position: pos, embNorm: try norm("emb_ln"), layers: layers)
    }

    /// BERT / XLM-R: embeddings.LayerNorm, encoder.layer.N.attention.self.{query,key,value}, ...
    /// q, k, v are fused into one [3D, D] Linear at load so both families share one forward.
    func bert() throws -> ModelWeights {
        let F = config.intermediateSize
        let word = try embedding("embeddings.word_embeddings", rows: config.vocabSize, keep16: true)
        let tt = src.has("embeddings.token_type_embeddings.weight")
            ? try embedding("embeddings.token_type_embeddings", rows: config.typeVocabSize, keep16: false) : nil
        let pos = try src.matrix("embeddings.position_embeddings.weight", rows: config.maxPositionEmbeddings, cols: D)
        let layers = try (0..<config.numLayers).map { i -> EncoderLayer in
            let p = "encoder.layer.\(i)."
            let parts = ["query", "key", "value"].map { p + "attention.self." + $0 }
            let qkv = Linear(weight: try src.packed(parts.map { $0 + ".weight" }, rows: [D, D, D], cols: D),
                             bias: try parts.flatMap { try src.floats($0 + ".bias", shape: [D]) }, lora: nil)
            return EncoderLayer(
                qkv: qkv,
                outProj: try linear(p + "attention.output.dense", out: D, inn: D),
                norm1: try norm(p + "attention.output.LayerNorm"),
                fc1: try linear(p + "intermediate.dense", out: F, inn: D),
                fc2: try linear(p + "output.dense", out: D, inn: F),
                norm2: try norm(p + "output.LayerNorm"))
        }
        return ModelWeights(word: word, tokenType: tt, position: pos, embNorm: try norm("embeddings.LayerNorm"),
                            layers: layers)
    }
}
