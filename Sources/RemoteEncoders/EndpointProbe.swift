import Foundation

/// Finds out what an endpoint is: its dialect (given, or from `GET /info` — loupe and text-embeddings-
/// inference — then `GET /v1/models` — OpenAI-compatible servers), the model behind it and what that
/// model can do, and the vector of the probe text.
enum EndpointProbe {
    static func describe(_ transport: EndpointTransport, kind given: EndpointKind?, model asked: String?,
                         timeout: Double) async throws -> EndpointDescription {
        let host = transport.address.base.host?.lowercased() ?? ""
        let jinaHost = host == "jina.ai" || host.hasSuffix(".jina.ai")
        let info = given == .jina || (given == nil && jinaHost) ? nil : try await object(transport, "/info", timeout: timeout)
        var listed: [[String: Any]]?
        var kind = given
        if kind == nil, let info {
            kind = (info["version"] as? String)?.hasPrefix("loupe") == true || info["tasks"] != nil ? .loupe : .tei
        }
        if kind == nil || kind == .openai {
            listed = try await object(transport, "/v1/models", timeout: timeout)?["data"] as? [[String: Any]]
            if kind == nil, listed != nil { kind = .openai }
        }
        if kind == nil, jinaHost { kind = .jina }
        guard let kind else {
            throw RemoteError.configuration("cannot tell what kind of server \(transport.address.name) is: neither /info "
                                            + "nor /v1/models answered; give --endpoint-protocol loupe|jina|openai|tei")
        }
        let model = try modelID(kind, info: info, listed: listed, asked: asked, endpoint: transport.address.name)
        var d = describe(kind, model: model, info: info, listed: listed)
        let call = EmbedCall(texts: [RemoteIdentity.probeText], task: nil, priority: .interactive)
        let vectors: [[Float]]
        do {
            vectors = try await embed(call, model: model, kind: kind, transport: transport, timeout: timeout).vectors
        } catch let failure as EndpointFailure where failure.isAuthorization {
            let key = transport.key.map { "refused \($0)" } ?? "wants an API key (name the variable holding it with --api-key-env)"
            throw RemoteError.configuration("\(transport.address.name) \(key): \(failure)")
        }
        guard let probe = vectors.first, !probe.isEmpty, probe.allSatisfy(\.isFinite), probe.contains(where: { $0 != 0 }) else {
            throw EndpointFailure.malformed("the probe text's vector is empty, zero or not finite")
        }
        d.probe = probe
        d.hiddenSize = probe.count
        if d.dimensions.isEmpty || d.dimensions.max() != probe.count { d.dimensions = Array(1...probe.count) }
        return d
    }

    /// One embedding request: the answer checked for count and finiteness (the pool checks the size).
    static func embed(_ call: EmbedCall, model: String, kind: EndpointKind, transport: EndpointTransport,
                      timeout: Double) async throws -> (vectors: [[Float]], model: String?) {
        let (path, body, headers) = kind.request(call, model: model)
        let answer = try await transport.post(path, json: jsonBytes(body), headers: headers, timeout: timeout)
        let parsed = try kind.parseEmbeddings(try transport.checked(answer), count: call.texts.count)
        guard parsed.vectors.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw EndpointFailure.malformed("a vector with NaN or infinite values")
        }
        return parsed
    }

    /// A JSON object at `path`, nil when the route is not there; a refused key is an error.
    private static func object(_ transport: EndpointTransport, _ path: String, timeout: Double) async throws -> [String: Any]? {
        let answer = try await transport.get(path, timeout: timeout)
        if answer.status == 401 || answer.status == 403 {
            throw RemoteError.configuration("\(transport.address.name) answered \(answer.status) to GET \(path): it wants an "
                                            + "API key — export it and name the variable with --api-key-env NAME")
        }
        guard answer.status == 200 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any]
    }

    private static func modelID(_ kind: EndpointKind, info: [String: Any]?, listed: [[String: Any]]?, asked: String?,
                                endpoint: String) throws -> String {
        switch kind {
        case .loupe, .tei:
            guard let id = info?["model_id"] as? String else {
                throw RemoteError.configuration("\(endpoint): GET /info gave no model_id (is it a \(kind.rawValue) server?)")
            }
            if let asked, asked != id {
                throw RemoteError.configuration("\(endpoint) serves \(id), not \(asked) (--endpoint-model)")
            }
            return id
        case .jina:
            return asked ?? "jina-embeddings-v3"
        case .openai:
            if let asked { return asked }
            if let id = info?["model_id"] as? String { return id }
            let ids = (listed ?? []).compactMap { $0["id"] as? String }
            guard ids.count == 1, let id = ids.first else {
                let which = ids.isEmpty ? "lists no model" : "lists \(ids.count) models (\(ids.prefix(8).joined(separator: ", ")))"
                throw RemoteError.configuration("\(endpoint) \(which): choose one with --endpoint-model NAME")
            }
            return id
        }
    }

    /// Everything but the probe vector, from /info (loupe reports tasks, instructions, dimensions), the
    /// model list and what is known of the model.
    private static func describe(_ kind: EndpointKind, model: String, info: [String: Any]?,
                                 listed: [[String: Any]]?) -> EndpointDescription {
        let known = KnownModels.facts(model: model)
        let int: (String) -> Int? = { (info?[$0] as? NSNumber)?.intValue }
        let reportedTasks = info?["tasks"] as? [String]
        let tasks = reportedTasks ?? known?.tasks ?? []
        let instructions = (info?["instructions"] as? [String: String]) ?? known?.instructions ?? [:]
        var dimensions = (info?["dimensions"] as? [NSNumber])?.map(\.intValue) ?? known?.dimensions ?? []
        if dimensions.count == 1, let only = dimensions.first, only == int("hidden_size") { dimensions = Array(1...max(1, only)) }
        let listedLength = listed?.first(where: { $0["id"] as? String == model })?["max_model_len"] as? NSNumber
        let mode: TaskMode
        switch kind {
        case .loupe, .jina: mode = tasks.isEmpty ? .none : .adapters
        case .tei: mode = reportedTasks?.isEmpty == false ? .adapters : (tasks.isEmpty ? .none : .prefixOnly)
        case .openai: mode = tasks.isEmpty ? .none : .prefixOnly
        }
        return EndpointDescription(
            kind: kind, model: model,
            maxLength: int("max_input_length") ?? listedLength?.intValue ?? known?.maxLength,
            hiddenSize: 0, dimensions: dimensions, tasks: tasks, instructions: instructions,
            defaultTask: (info?["default_task"] as? String) ?? (tasks.isEmpty ? nil : known?.defaultTask ?? tasks.first),
            taskMode: mode,
            appliesPrefix: mode == .adapters && ((info?["applies_prefix"] as? Bool) ?? true),
            lateChunking: kind == .jina || (kind == .loupe && ((info?["late_chunking"] as? Bool) ?? true)),
            unnormalized: kind == .loupe || kind == .tei,
            tokenizes: info != nil && kind != .jina,
            maxBatchInputs: int("max_client_batch_size") ?? (kind == .openai || kind == .jina ? 2048 : nil),
            maxBatchTokens: int("max_batch_tokens"),
            weightsFingerprint: info?["fingerprint"] as? String,
            precision: info?["model_dtype"] as? String,
            probe: [])
    }
}
