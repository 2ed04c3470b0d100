/// An embedding request after decoding, in one form for both routes: `POST /v1/embeddings` (the
/// OpenAI and Jina shapes) and `POST /embed` (text-embeddings-inference). Values are checked against
/// the served model here, before any tokenizing; every problem is a 422 naming the field.
struct EmbedRequest: Equatable {
    enum Inputs: Equatable {
        case texts([String])
        case ids([[Int32]])
        var count: Int {
            switch self {
            case .texts(let t): return t.count
            case .ids(let i): return i.count
            }
        }
    }

    var inputs: Inputs
    var task: String?
    var dimensions: Int?
    var lateChunking = false
    /// One or more output types; `typesAsObject` when the client sent a list (then `embedding` is an
    /// object keyed by type).
    var types: [EmbeddingType] = [.float]
    var typesAsObject = false
    var normalized = true
    var truncate = false

    /// `/v1/embeddings`: `input`, `model` (ignored: the loaded model answers), `task`, `dimensions`,
    /// `late_chunking`, `embedding_type`, `encoding_format`, `normalized`, `truncate`, `user` (ignored).
    static func openAI(_ object: [String: JSONValue], model: ServedModel, maxInputs: Int) throws -> EmbedRequest {
        let f = Fields(object: object)
        _ = try f.string("model")
        _ = try f.string("user")
        var request = EmbedRequest(inputs: try inputs(f, key: "input", maxInputs: maxInputs))
        request.task = try task(f.string("task"), param: "task", model: model)
        request.dimensions = try dimensions(f, model: model)
        request.lateChunking = try f.bool("late_chunking") ?? false
        request.normalized = try f.bool("normalized") ?? true
        request.truncate = try f.bool("truncate") ?? false
        // embedding_type (Jina) wins over encoding_format (OpenAI): the openai client always sends one.
        if let value = f.value("embedding_type") {
            (request.types, request.typesAsObject) = try embeddingTypes(value, f: f)
        } else if let format = try f.string("encoding_format") {
            guard let t = EmbeddingType(rawValue: format), t == .float || t == .base64 else {
                throw APIError.invalid("encoding_format", "unsupported encoding_format \"\(format)\"; use float or base64",
                                       code: "unsupported_encoding_format")
            }
            request.types = [t]
        }
        try request.checkLateChunking(model)
        return request
    }

    /// `/embed`: `inputs`, `normalize`, `truncate`, `truncation_direction` (right only), `prompt_name`
    /// (the task), `dimensions`. The answer is plain float arrays.
    static func tei(_ object: [String: JSONValue], model: ServedModel, maxInputs: Int) throws -> EmbedRequest {
        let f = Fields(object: object)
        var request = EmbedRequest(inputs: try inputs(f, key: "inputs", maxInputs: maxInputs))
        request.task = try task(f.string("prompt_name"), param: "prompt_name", model: model)
        request.dimensions = try dimensions(f, model: model)
        request.normalized = try f.bool("normalize") ?? true
        request.truncate = try f.bool("truncate") ?? false
        if let direction = try f.string("truncation_direction"), direction.lowercased() != "right" {
            throw APIError.invalid("truncation_direction", "only right truncation is supported (got \"\(direction)\")")
        }
        return request
    }

    /// A string, strings, `{"text": …}` objects, one token-id array or token-id arrays.
    static func inputs(_ f: Fields, key: String, maxInputs: Int) throws -> Inputs {
        guard let value = f.value(key) else {
            throw APIError.invalid(key, "\"\(key)\" is required: a string, an array of strings or of token-id arrays",
                                   code: "missing_field")
        }
        switch value {
        case .string(let s): return .texts([s])
        case .array(let items):
            guard !items.isEmpty else { throw APIError.invalid(key, "\"\(key)\" must not be empty") }
            guard items.count <= maxInputs else { throw APIError.tooManyInputs(items.count, limit: maxInputs, param: key) }
            if case .number = items[0] { return .ids([try ids(items, param: key)]) }
            if case .array = items[0] {
                return .ids(try items.enumerated().map { i, item in
                    guard case .array(let row) = item else { throw mixed(key, i, item) }
                    return try ids(row, param: "\(key)[\(i)]")
                })
            }
            return .texts(try items.enumerated().map { i, item in
                switch item {
                case .string(let s): return s
                case .object(let o):
                    if case .string(let s)? = o["text"] { return s }
                    if o["image"] != nil { throw APIError.invalid("\(key)[\(i)]", "image inputs are not supported: this model embeds text") }
                    throw APIError.invalid("\(key)[\(i)]", "an input object needs a \"text\" string", code: "invalid_type")
                default: throw mixed(key, i, item)
                }
            })
        default:
            throw f.mismatch(key, "a string or an array", value)
        }
    }

    private static func ids(_ items: [JSONValue], param: String) throws -> [Int32] {
        guard !items.isEmpty else { throw APIError.invalid(param, "a token-id array must not be empty") }
        return try items.map { item in
            guard case .number(let n) = item, n == n.rounded(), n >= 0, n < 2_147_483_647 else {
                throw APIError.invalid(param, "token ids must be non-negative integers, got \(item.typeName)", code: "invalid_type")
            }
            return Int32(n)
        }
    }

    private static func mixed(_ key: String, _ i: Int, _ item: JSONValue) -> APIError {
        APIError.invalid("\(key)[\(i)]", "\"\(key)\" mixes kinds: item \(i) is \(item.typeName); send all strings or all token-id arrays",
                         code: "invalid_type")
    }

    /// nil or "none" = no adapter (the reference `encode()`'s default).
    static func task(_ value: String?, param: String, model: ServedModel) throws -> String? {
        guard let value, value != "none" else { return nil }
        guard model.tasks.contains(value) else {
            let valid = model.tasks.isEmpty ? "this model has no task adapters; omit it" : "use one of \(model.tasks.joined(separator: ", "))"
            throw APIError.invalid(param, "unknown task \"\(value)\"; \(valid)", code: "unknown_task")
        }
        return value
    }

    private static func dimensions(_ f: Fields, model: ServedModel) throws -> Int? {
        guard let d = try f.int("dimensions") else { return nil }
        guard model.dimensions.contains(d) else {
            let valid = model.dimensions.count > 16 ? "1…\(model.hiddenSize)" : model.dimensions.map(String.init).joined(separator: ", ")
            throw APIError.invalid("dimensions", "the model was not trained for \(d) dimensions; use one of \(valid)",
                                   code: "unsupported_dimensions")
        }
        return d
    }

    private static func embeddingTypes(_ value: JSONValue, f: Fields) throws -> ([EmbeddingType], Bool) {
        func one(_ v: JSONValue) throws -> EmbeddingType {
            guard case .string(let s) = v else { throw f.mismatch("embedding_type", "a string or an array of strings", v) }
            guard let t = EmbeddingType(rawValue: s) else {
                throw APIError.invalid("embedding_type", "unsupported embedding_type \"\(s)\"; use float, base64, binary or ubinary",
                                       code: "unsupported_embedding_type")
            }
            return t
        }
        if case .array(let list) = value {
            guard !list.isEmpty else { throw APIError.invalid("embedding_type", "\"embedding_type\" must not be an empty list") }
            var types: [EmbeddingType] = []
            for t in try list.map(one) where !types.contains(t) { types.append(t) }
            return (types, true)
        }
        return ([try one(value)], false)
    }

    private func checkLateChunking(_ model: ServedModel) throws {
        guard lateChunking else { return }
        guard model.lateChunking else {
            throw APIError.invalid("late_chunking", "the encoders behind this server cannot late-chunk; embed the chunks "
                                   + "without late_chunking", code: "late_chunking_unavailable")
        }
        guard case .texts(let texts) = inputs else {
            throw APIError.invalid("late_chunking", "late chunking needs text inputs, not token ids")
        }
        guard normalized else {
            throw APIError.invalid("normalized", "late chunking gives normalized vectors only; drop \"normalized\": false")
        }
        if let i = texts.firstIndex(where: { $0.isEmpty }) {
            throw APIError.invalid("input[\(i)]", "with late chunking every chunk must have text (input \(i) is empty)")
        }
    }
}
