import EmbeddingEngine
import Foundation
import Tokenizers

/// Remote endpoints of one model as one encoder: an `EmbeddingEncoder` the session uses exactly as it
/// uses the local EncoderService (PoolDispatch.swift schedules the work).
///
/// A request's items are cut into batches by a token budget. Each endpoint keeps `pipelineDepth` bulk
/// batches in flight — sized to take `targetBatchSeconds` at its measured speed, so a fast endpoint gets
/// more — plus one slot for interactive work, which is always handed out first. A free endpoint takes the
/// next batch from the shared queue. Each finished batch goes to `onBatch` (the cache) at once. Failures
/// back off and retry; an endpoint that keeps failing is set aside and its batches go to the others; when
/// none is left, every request fails naming each endpoint's last error.
public final class RemoteEncoderPool: EmbeddingEncoder, @unchecked Sendable {
    public let info: ModelInfo
    public let maxLength: Int
    public let progressTracker = ProgressTracker()
    public let load = EncoderLoad()
    public let supportsLateChunking: Bool
    /// What the endpoints serve (the first that answered; the others agree with it).
    public let reference: EndpointDescription
    /// What the person should know (which endpoints, and what is not exact remotely).
    public let notes: [RemoteNote]

    struct Member: Sendable {
        let transport: EndpointTransport
        let kind: EndpointKind
        let model: String
        let maxInputs: Int
        let maxTokens: Int
        var name: String { transport.address.name }
    }

    let members: [Member]
    let options: PoolOptions
    let tokenizer: RemoteTokenizer
    let lock = NSLock()
    var health: [EndpointHealth]
    var requests: [Int: PoolRequest] = [:]
    var queue = PoolQueue()
    var superseding: [String: Int] = [:]
    var nextRequestID = 0
    var timer: (task: Task<Void, Never>, at: Double)?

    init(reference: EndpointDescription, members: [Member], down: Set<Int>, tokenizer: RemoteTokenizer,
         fingerprint: String, options: PoolOptions, notes: [RemoteNote]) {
        self.reference = reference; self.members = members; self.tokenizer = tokenizer; self.options = options
        self.notes = notes
        info = ModelInfo(name: reference.model, tasks: reference.tasks, dimensions: reference.dimensions,
                         hiddenSize: reference.hiddenSize, defaultTask: reference.defaultTask, fingerprint: fingerprint,
                         instructions: reference.instructions)
        maxLength = reference.maxLength ?? 512
        supportsLateChunking = reference.lateChunking
        let now = Self.now()
        health = members.indices.map { i in
            var h = EndpointHealth()
            if down.contains(i) { h.setAside(now: now, options: options) }
            return h
        }
    }

    static func now() -> Double { ProcessInfo.processInfo.systemUptime }

    public var tokenSource: TokenSource { tokenizer.source }

    public var endpoints: [EndpointStatus] {
        let now = Self.now()
        return lock.withLock { members.indices.map { health[$0].status(name: members[$0].name, kind: members[$0].kind.rawValue, now: now) } }
    }

    /// Seconds each endpoint has been busy (at least one request in flight) so far.
    public var busySeconds: [Double] { lock.withLock { health.map(\.busySeconds) } }

    // MARK: - EmbeddingEncoder

    public func embed(_ items: [EmbeddingItem], task: String?, applyPrefix: Bool, normalize: Bool, priority: RequestPriority,
                      supersedingKey: String?, onBatch: (@Sendable ([Int], [[[Float]]]) -> Void)?) async throws -> [[[Float]]] {
        if items.isEmpty {
            if let key = supersedingKey { cancelRequest(supersedingKey: key) }
            return []
        }
        if items.contains(where: { $0.ids != nil }) { throw RemoteError.needsLocalModel("embedding token ids") }
        if !normalize, members.contains(where: { $0.kind != .loupe && $0.kind != .tei }) {
            throw RemoteError.needsLocalModel("unnormalized vectors from \(reference.kind.rawValue) endpoints")
        }
        if let task, !info.tasks.contains(task) {
            throw RemoteError.configuration("unknown task \(task) for \(info.name): use one of \(info.tasks.joined(separator: ", "))")
        }
        let prefix = reference.taskMode == .prefixOnly && applyPrefix ? (task.flatMap { info.instructions[$0] } ?? "") : ""
        let texts = items.map { prefix + $0.text }
        let id = lock.withLock { () -> Int in defer { nextRequestID += 1 }; return nextRequestID }
        let request = PoolRequest(id: id, items: items, texts: texts, prefix: prefix,
                                  tokens: texts.map { RemoteTokenizer.estimate($0, maxLength: maxLength) },
                                  task: reference.taskMode == .adapters ? task : nil, normalize: normalize,
                                  priority: priority, onBatch: onBatch, started: Self.now())
        let flag = CancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                register(request, continuation: continuation, supersedingKey: supersedingKey, cancelled: flag.isCancelled)
            }
        } onCancel: {
            flag.cancel()
            cancel(request: id)
        }
    }

    public func cancelRequest(supersedingKey key: String) {
        guard let id = lock.withLock({ superseding.removeValue(forKey: key) }) else { return }
        cancel(request: id)
    }

    public func encode(_ texts: [String], task: String?, applyPrefix: Bool, addSpecialTokens: Bool) async throws -> [Encoding] {
        let prefix = applyPrefix ? (task.flatMap { info.instructions[$0] } ?? "") : ""
        return try await tokenizer.encode(texts, prefix: prefix, addSpecialTokens: addSpecialTokens, timeout: options.probeTimeout)
    }

    public func tokenSpans(_ texts: [String]) async throws -> [[Range<Int>]] {
        try await tokenizer.encode(texts, prefix: "", addSpecialTokens: false, timeout: options.probeTimeout)
            .map { $0.offsets.filter { !$0.isEmpty } }
    }

    public func check(ids: [Int32]) throws { throw RemoteError.needsLocalModel("embedding token ids") }

    // MARK: - Requests

    private func register(_ request: PoolRequest, continuation: CheckedContinuation<[[[Float]]], any Error>,
                          supersedingKey: String?, cancelled: Bool) {
        if cancelled { return continuation.resume(throwing: CancellationError()) }
        var previous: Int?
        lock.withLock {
            request.continuation = continuation
            requests[request.id] = request
            queue.add(request)
            if let key = supersedingKey { previous = superseding.updateValue(request.id, forKey: key) }
            if request.priority == .bulk { progressTracker.begin(texts: request.items.count, tokens: request.remainingTokens) }
        }
        if let previous { cancel(request: previous) }
        lock.withLock { dispatchLocked() }
    }

    /// Stops a request: its queued batches leave, those in flight are abandoned (their HTTP requests
    /// cancelled), and it throws CancellationError.
    func cancel(request id: Int) {
        lock.withLock {
            guard let request = requests[id] else { return }
            finishLocked(request, with: .failure(CancellationError()))
            dispatchLocked()
        }
    }

    /// Takes a request out and answers it (under the lock; resuming a continuation does not block).
    func finishLocked(_ request: PoolRequest, with outcome: Result<[[[Float]]], any Error>) {
        guard requests.removeValue(forKey: request.id) != nil else { return }
        queue.remove(request: request.id)
        for (_, task) in request.inFlight { task.cancel() }
        request.inFlight = [:]
        for (key, id) in superseding where id == request.id { superseding[key] = nil }
        if request.priority == .bulk, case .failure = outcome {
            progressTracker.abandon(texts: request.items.count - request.done,
                                    tokens: request.tokens.reduce(0, +) - request.doneTokens)
        }
        if request.priority == .interactive, case .success = outcome {
            progressTracker.recordLatency(Self.now() - request.started)
        }
        publishLoadLocked()
        request.continuation?.resume(with: outcome)
        request.continuation = nil
    }

    func publishLoadLocked() {
        load.setQueued(rows: queue.waitingItems(requests),
                       tokens: queue.waitingTokens(.interactive, requests) + queue.waitingTokens(.bulk, requests),
                       requests: requests.count)
    }
}

/// A note for the person running the session.
public struct RemoteNote: Sendable, Equatable {
    /// A degraded mode (raw-text endpoint, no late chunking, approximate tokens, an endpoint down).
    public var isWarning: Bool
    public var text: String
}
