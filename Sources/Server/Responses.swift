/// The JSON bodies of the answers (see docs/openapi.yaml for their schemas).
enum Responses {
    /// `/v1/embeddings`: `{"object": "list", "model", "data": [{"object": "embedding", "index", "embedding"}],
    /// "usage": {"prompt_tokens", "total_tokens"}}`; `embedding` is one encoding, or an object keyed by
    /// type when the client asked for a list of types.
    static func embeddings(_ vectors: [[Float]], tokens: Int, request: EmbedRequest, model: String) -> [UInt8] {
        let dims = vectors.first?.count ?? 0
        var w = JSONWriter(capacity: 128 + vectors.count * (48 + dims * 12))
        w.raw("{\"object\":\"list\",\"model\":")
        w.string(model)
        w.raw(",\"data\":[")
        for (i, v) in vectors.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"object\":\"embedding\",\"index\":")
            w.int(i)
            w.raw(",\"embedding\":")
            if request.typesAsObject {
                w.raw("{")
                for (k, type) in request.types.enumerated() {
                    if k > 0 { w.raw(",") }
                    w.string(type.rawValue)
                    w.raw(":")
                    type.write(v, to: &w)
                }
                w.raw("}")
            } else {
                request.types[0].write(v, to: &w)
            }
            w.raw("}")
        }
        w.raw("],\"usage\":{\"prompt_tokens\":")
        w.int(tokens)
        w.raw(",\"total_tokens\":")
        w.int(tokens)
        w.raw("}}")
        return w.bytes
    }

    /// `/embed`: `[[float]]`.
    static func floatArrays(_ vectors: [[Float]]) -> [UInt8] {
        var w = JSONWriter(capacity: 16 + vectors.count * ((vectors.first?.count ?? 0) * 12 + 2))
        w.raw("[")
        for (i, v) in vectors.enumerated() {
            if i > 0 { w.raw(",") }
            w.floats(v)
        }
        w.raw("]")
        return w.bytes
    }

    /// `/tokenize`: per input, `[{"id", "text", "special", "start", "stop"}]`.
    static func tokens(_ inputs: [[ServedToken]]) -> [UInt8] {
        var w = JSONWriter()
        w.raw("[")
        for (i, tokens) in inputs.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("[")
            for (k, t) in tokens.enumerated() {
                if k > 0 { w.raw(",") }
                w.raw("{\"id\":")
                w.int(Int(t.id))
                w.raw(",\"text\":")
                w.string(t.text)
                w.raw(t.special ? ",\"special\":true,\"start\":" : ",\"special\":false,\"start\":")
                if let s = t.start { w.int(s) } else { w.raw("null") }
                w.raw(",\"stop\":")
                if let s = t.stop { w.int(s) } else { w.raw("null") }
                w.raw("}")
            }
            w.raw("]")
        }
        w.raw("]")
        return w.bytes
    }

    /// `/info`: the text-embeddings-inference fields, plus the adapters, Matryoshka dimensions and precision,
    /// and what a loupe client needs (instruction prefixes, the fingerprint, whether prefixes and late chunking apply).
    static func info(_ model: ServedModel, _ c: ServerConfiguration, version: String) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"model_id\":")
        w.string(model.name)
        w.raw(",\"model_sha\":null,\"model_dtype\":")
        w.string(model.dtype)
        w.raw(",\"model_type\":{\"embedding\":{\"pooling\":\"mean\"}},\"max_concurrent_requests\":")
        w.int(c.maxQueuedTokens / max(1, model.maxLength))
        w.raw(",\"max_input_length\":")
        w.int(model.maxLength)
        w.raw(",\"max_batch_tokens\":")
        w.int(c.maxRequestTokens)
        w.raw(",\"max_client_batch_size\":")
        w.int(c.maxInputs)
        w.raw(",\"auto_truncate\":false,\"tokenization_workers\":1,\"version\":")
        w.string(version)
        w.raw(",\"tasks\":[")
        for (i, t) in model.tasks.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(t)
        }
        w.raw("],\"dimensions\":")
        w.ints(model.dimensions.count > 64 ? [model.hiddenSize] : model.dimensions)
        w.raw(",\"hidden_size\":")
        w.int(model.hiddenSize)
        w.raw(",\"precision\":")
        w.string(model.precision)
        // What a loupe client needs to use this server as one of its endpoints (RemoteEncoders).
        w.raw(",\"instructions\":{")
        for (i, task) in model.instructions.keys.sorted().enumerated() {
            if i > 0 { w.raw(",") }
            w.string(task)
            w.raw(":")
            w.string(model.instructions[task] ?? "")
        }
        w.raw("},\"default_task\":")
        if let t = model.defaultTask { w.string(t) } else { w.raw("null") }
        w.raw(",\"fingerprint\":")
        w.string(model.fingerprint)
        w.raw(model.appliesPrefix ? ",\"applies_prefix\":true" : ",\"applies_prefix\":false")
        w.raw(model.lateChunking ? ",\"late_chunking\":true}" : ",\"late_chunking\":false}")
        return w.bytes
    }

    /// `/v1/models`: the OpenAI model list with the one loaded model.
    static func models(_ model: ServedModel) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"object\":\"list\",\"data\":[{\"id\":")
        w.string(model.name)
        w.raw(",\"object\":\"model\",\"created\":0,\"owned_by\":\"loupe\"}]}")
        return w.bytes
    }
}
