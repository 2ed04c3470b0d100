import EmbeddingEngine
import Foundation
import Tokenizers

extension RemoteEncoderPool {
    /// Probes every endpoint (at once), checks that they serve one model the same way, picks where token
    /// spans come from and opens the pool.
    ///
    /// - `localTokenizer(modelID)`: the model's tokenizer.json here, if the session has one (checked against
    ///   an endpoint's `/tokenize` when one answers it).
    /// - `applyPrefix`: false for `--no-prefix` (an endpoint that adds prefixes itself must agree).
    /// - `identity`: the fingerprint the cache keys of these vectors will use (the session asks the cache,
    ///   see `RemoteIdentity`).
    ///
    /// An endpoint that does not answer is set aside (and probed again later) when another one answers;
    /// when none does, this throws naming each one's error.
    public static func connect(_ options: RemoteOptions, environment: [String: String],
                               localTokenizer: (String) -> Tokenizer?,
                               applyPrefix: Bool,
                               identity: (EndpointDescription) throws -> String) async throws -> RemoteEncoderPool {
        var addresses: [EndpointAddress] = []
        for text in options.endpoints {
            let address = try EndpointAddress(text)
            if !addresses.contains(address) { addresses.append(address) }
        }
        guard !addresses.isEmpty else { throw RemoteError.configuration("no --endpoint given") }
        let results = await withTaskGroup(of: (Int, Result<(EndpointDescription, EndpointTransport), any Error>).self) { group in
            for (i, address) in addresses.enumerated() {
                group.addTask { (i, await Result { try await probe(address, options, environment) }) }
            }
            var out = [(Int, Result<(EndpointDescription, EndpointTransport), any Error>)]()
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        // A configuration problem (a missing key, an unknown kind of server) is the person's to fix: say so now.
        for result in results { if case .failure(let e as RemoteError) = result { throw e } }
        guard let first = results.firstIndex(where: { (try? $0.get()) != nil }), case .success(let (reference, _)) = results[first] else {
            throw RemoteError.allEndpointsFailed(zip(addresses, results).map { address, result in
                RemoteError.EndpointError(endpoint: address.name, error: result.errorText)
            })
        }
        var members: [Member] = [], down = Set<Int>(), notes: [RemoteNote] = []
        for (i, (address, result)) in zip(addresses, results).enumerated() {
            switch result {
            case .success(let (d, transport)):
                if let difference = d.disagreement(with: reference, tolerance: RemoteIdentity.tolerance) {
                    throw RemoteError.configuration("\(addresses[first].name) and \(address.name) do not serve the same model "
                                                    + "(\(difference)): give endpoints of one model")
                }
                members.append(member(transport, d, options.pool))
            case .failure(let error):
                down.insert(i)
                notes.append(RemoteNote(isWarning: true, text: "\(address.name) does not answer (\(error)); "
                                        + "it is tried again later and its share goes to the others"))
                let key = try? APIKey.resolve(kind: reference.kind, variable: options.apiKeyVariable, environment: environment)
                members.append(member(EndpointTransport(address: address, key: key), reference, options.pool))
            }
        }
        if reference.taskMode == .adapters, reference.appliesPrefix != applyPrefix, reference.instructions.values.contains(where: { !$0.isEmpty }) {
            throw RemoteError.configuration(reference.appliesPrefix
                ? "\(addresses[first].name) adds the task prefixes itself, so --no-prefix cannot be honoured: start it with --no-prefix too"
                : "\(addresses[first].name) was started with --no-prefix: pass --no-prefix here too (or restart it without)")
        }
        let (tokenizer, tokenNote) = await chooseTokenizer(localTokenizer(reference.model), members: members, down: down, reference: reference,
                                                           timeout: options.pool.probeTimeout)
        notes = describe(reference, members: members, tokenNote: tokenNote) + notes
        return RemoteEncoderPool(reference: reference, members: members, down: down, tokenizer: tokenizer,
                                 fingerprint: try identity(reference), options: options.pool, notes: notes)
    }

    private static func probe(_ address: EndpointAddress, _ options: RemoteOptions,
                              _ environment: [String: String]) async throws -> (EndpointDescription, EndpointTransport) {
        let jinaHost = address.base.host?.lowercased().hasSuffix("jina.ai") == true
        let guess: EndpointKind? = options.kind ?? (jinaHost ? .jina : nil)
        var key = try guess.flatMap { try APIKey.resolve(kind: $0, variable: options.apiKeyVariable, environment: environment) }
        if guess == nil, let variable = options.apiKeyVariable {
            key = try APIKey.resolve(kind: .loupe, variable: variable, environment: environment)
        }
        let transport = EndpointTransport(address: address, key: key)
        do {
            return (try await EndpointProbe.describe(transport, kind: options.kind, model: options.model,
                                                     timeout: options.pool.probeTimeout), transport)
        } catch RemoteError.configuration(let message) where key == nil && message.contains("wants an API key") {
            // An OpenAI-compatible service that wants its usual key.
            guard let openAI = try APIKey.resolve(kind: .openai, variable: nil, environment: environment) else {
                throw RemoteError.configuration(message)
            }
            let keyed = EndpointTransport(address: address, key: openAI)
            return (try await EndpointProbe.describe(keyed, kind: .openai, model: options.model,
                                                     timeout: options.pool.probeTimeout), keyed)
        }
    }

    private static func member(_ transport: EndpointTransport, _ d: EndpointDescription, _ options: PoolOptions) -> Member {
        Member(transport: transport, kind: d.kind, model: d.model,
               maxInputs: max(1, min(options.maximumBatchInputs, d.maxBatchInputs ?? .max)),
               maxTokens: max(options.minimumBatchTokens, min(options.maximumBatchTokens, d.maxBatchTokens ?? .max)))
    }

    /// The local tokenizer when it tokenizes like the endpoints' model, else an endpoint's /tokenize, else words.
    private static func chooseTokenizer(_ local: Tokenizer?, members: [Member], down: Set<Int>, reference: EndpointDescription,
                                        timeout: Double) async -> (RemoteTokenizer, RemoteNote?) {
        let remote = reference.tokenizes
            ? members.indices.first { !down.contains($0) }.map { RemoteTokenizer.remote(members[$0].transport, batch: members[$0].maxInputs) }
            : nil
        if let local {
            guard let remote else { return (.local(local), nil) }
            let mine = local.encode(RemoteIdentity.probeText, addSpecialTokens: true, options: TruncationPadding()).ids
            let theirs = try? await remote.encode([RemoteIdentity.probeText], prefix: "", addSpecialTokens: true, timeout: timeout).first?.ids
            if theirs == nil || theirs == mine { return (.local(local), nil) }
            return (remote, RemoteNote(isWarning: true, text: "the local tokenizer does not tokenize like \(reference.model) on "
                                       + "the endpoints; token spans come from their /tokenize"))
        }
        if let remote { return (remote, nil) }
        return (.approximate, RemoteNote(isWarning: true, text: "no tokenizer of \(reference.model) here: token counts and chunk "
                                         + "boundaries are approximate (give --model DIR with its tokenizer.json, or fetch the model)"))
    }

    private static func describe(_ d: EndpointDescription, members: [Member], tokenNote: RemoteNote?) -> [RemoteNote] {
        let names = members.map(\.name).joined(separator: ", ")
        var notes = [RemoteNote(isWarning: false, text: "encoders: \(members.count) \(d.kind.rawValue) endpoint"
                                + "\(members.count == 1 ? "" : "s") (\(names)), model \(d.model), \(d.hiddenSize) dimensions")]
        if d.taskMode == .prefixOnly {
            notes.append(RemoteNote(isWarning: true, text: "\(d.kind.rawValue) endpoints take raw text: the task prefix is added "
                                    + "here, but the task adapter itself cannot be applied (vectors come from the base weights)"))
        }
        if d.maxLength == nil {
            notes.append(RemoteNote(isWarning: true, text: "the endpoints do not report their max length: assuming 512 tokens "
                                    + "for chunk windows (the endpoints truncate longer inputs themselves)"))
        }
        if let tokenNote { notes.append(tokenNote) }
        return notes
    }

    /// Said when a chunked corpus meets endpoints that cannot late-chunk.
    public var lateChunkingNote: String? {
        supportsLateChunking ? nil : "\(reference.kind.rawValue) endpoints cannot late-chunk: each chunk is embedded on its own "
            + "(without its neighbours' context)"
    }
}

extension Result {
    init(catching body: () async throws -> Success) async where Failure == any Error {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }

    var errorText: String {
        if case .failure(let e) = self { return "\(e)" }
        return "ok"
    }
}
