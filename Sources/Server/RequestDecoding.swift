/// The request decoding of the body-carrying routes without a socket: the bytes a client sent, through
/// the same parsing and checks `Routes` runs before any tokenizing. The fuzz harness drives it; a bad
/// body must come out as an `APIError` with a 4xx status, never as anything else.
public enum RequestDecoding {
    public enum Route: CaseIterable, Sendable {
        case embeddings  // POST /v1/embeddings (OpenAI and Jina shapes)
        case embed       // POST /embed (text-embeddings-inference)
        case tokenize    // POST /tokenize
    }

    /// What a decoded request asks for, in the terms a caller can check against the served model.
    public struct Decoded: Sendable, Equatable {
        public var inputCount: Int
        public var texts: [String]?
        public var tokenIDs: [[Int32]]?
        public var task: String?
        public var dimensions: Int?
    }

    public static func decode(_ body: [UInt8], route: Route, model: ServedModel, maxInputs: Int) throws -> Decoded {
        let object = try JSONValue.parseObject(body)
        switch route {
        case .embeddings: return summary(try EmbedRequest.openAI(object, model: model, maxInputs: maxInputs))
        case .embed: return summary(try EmbedRequest.tei(object, model: model, maxInputs: maxInputs))
        case .tokenize:
            let t = try tokenize(object, model: model, maxInputs: maxInputs)
            return Decoded(inputCount: t.texts.count, texts: t.texts, tokenIDs: nil, task: t.task, dimensions: nil)
        }
    }

    /// `/tokenize`: `{"inputs": string | [string], "add_special_tokens": true, "prompt_name": task}`.
    static func tokenize(_ object: [String: JSONValue], model: ServedModel, maxInputs: Int)
        throws -> (texts: [String], task: String?, addSpecialTokens: Bool) {
        let fields = Fields(object: object)
        guard case .texts(let texts) = try EmbedRequest.inputs(fields, key: "inputs", maxInputs: maxInputs) else {
            throw APIError.invalid("inputs", "\"inputs\" must be a string or an array of strings", code: "invalid_type")
        }
        let task = try EmbedRequest.task(fields.string("prompt_name"), param: "prompt_name", model: model)
        return (texts, task, try fields.bool("add_special_tokens") ?? true)
    }

    private static func summary(_ r: EmbedRequest) -> Decoded {
        switch r.inputs {
        case .texts(let t): return Decoded(inputCount: t.count, texts: t, tokenIDs: nil, task: r.task, dimensions: r.dimensions)
        case .ids(let i): return Decoded(inputCount: i.count, texts: nil, tokenIDs: i, task: r.task, dimensions: r.dimensions)
        }
    }
}
