import Foundation
import JinaEmbeddings
import Tokenizers

/// Owns the model and runs every forward pass on its own background DispatchQueue (a custom
/// SerialExecutor), so neither the caller's thread nor the Swift concurrency pool is blocked.
///
/// Scheduling: every request is tokenized on the caller's task, then its rows join a `WorkQueue`
/// shared by all requests in flight (even while a forward pass runs: the queue has its own lock). One
/// pump on the service's queue takes a batch at a time:
/// interactive rows (a typed query, a small HTTP request) whenever any wait, bulk rows (a corpus, a
/// large HTTP request) otherwise. Rows of different requests — and different tasks — share a forward
/// pass up to the token budget. Between two batches the pump suspends, so a request submitted
/// meanwhile is in the next one; bulk batches are sized from the measured speed, which bounds how
/// long an interactive request waits. Cancellation (Swift Task cancellation, or a newer request with
/// the same superseding key) drops a request's queued rows before the next batch and stops a forward
/// pass at a layer boundary once every request in it is cancelled; a cancelled request throws
/// `CancellationError` and never delivers a result.
public actor EncoderService: EmbeddingEncoder {
    public nonisolated let info: ModelInfo
    public nonisolated let backend: any EmbeddingBackend
    /// The executor (and queue) every isolated method of the service runs on.
    public nonisolated let executor: DispatchQueueExecutor
    /// Progress of the bulk work; readable from any thread, observable (callback or AsyncStream).
    public nonisolated let progressTracker = ProgressTracker()
    /// Queue depth and finished batches, readable from any thread (server metrics, admission).
    public nonisolated let load = EncoderLoad()
    /// At most this many tokens per forward pass, counted as rows × longest row (an upper bound of the
    /// packed total: rows are never padded).
    public nonisolated let tokenBudget: Int
    public nonisolated let maxRows: Int
    /// Bulk batches are sized from the measured speed to take about this long: an interactive request
    /// submitted during bulk work waits at most about one such batch (a forward pass is not interruptible
    /// except by cancellation), while batches stay large enough for efficient matrix products.
    public nonisolated let targetBatchSeconds: Double
    /// The smallest adaptive budget (and the first one, before any speed is known).
    public nonisolated let minimumBatchTokens: Int
    nonisolated let supersede = SupersedeRegistry()
    nonisolated let table: RequestTable

    /// Bulk throughput estimate (tokens per second), an exponential average over recent batches.
    private var measuredTokensPerSecond: Double?

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public init(model: EmbeddingModel) {
        self.init(backend: ModelBackend(model: model))
    }

    /// `maxLength` truncates inputs (`--max-length`); nil = the model's own maximum.
    public init(model: EmbeddingModel, maxLength: Int?) {
        self.init(backend: ModelBackend(model: model, maxLength: maxLength))
    }

    public init(backend: any EmbeddingBackend, tokenBudget: Int = 8192, maxRows: Int = 32,
                targetBatchSeconds: Double = 0.25, minimumBatchTokens: Int = 64) {
        self.backend = backend
        self.info = backend.info
        self.tokenBudget = max(1, tokenBudget)
        self.maxRows = max(1, maxRows)
        self.targetBatchSeconds = targetBatchSeconds
        self.minimumBatchTokens = max(1, min(minimumBatchTokens, tokenBudget))
        self.executor = DispatchQueueExecutor(label: "loupe.encoder")
        self.table = RequestTable(load: load)
    }

    /// The maximum tokens per input the backend truncates to.
    public nonisolated var maxLength: Int { backend.maxLength }

    /// Embeds items under `task` (nil = none); see `EmbeddingEncoder.embed` (the short forms are there).
    /// `supersedingKey`: a later request with the same key cancels this one (even in the
    /// middle of a batch). `onBatch(indices, vectors)` is called on the service queue after each batch with
    /// the finished items (indices into `items`): the indexer writes them to the cache as they arrive.
    public nonisolated func embed(_ items: [EmbeddingItem], task: String?, applyPrefix: Bool = true,
                                  normalize: Bool = true, priority: RequestPriority, supersedingKey: String?,
                                  onBatch: (@Sendable (_ indices: [Int], _ vectors: [[[Float]]]) -> Void)?)
        async throws -> [[[Float]]] {
        let flag = CancelFlag()
        // Registered on the caller's thread, before waiting for the queue: a newer query cancels the
        // older one even while the older one's batch is running.
        if let key = supersedingKey { supersede.register(key, flag: flag) }
        defer { if let key = supersedingKey { supersede.finish(key, flag: flag) } }
        if items.isEmpty { return [] }
        let started = ProcessInfo.processInfo.systemUptime
        let result = try await withTaskCancellationHandler {
            let spec = try self.tokenize(items, task: task, applyPrefix: applyPrefix, normalize: normalize,
                                         priority: priority, flag: flag, onBatch: onBatch)
            return try await self.submit(spec)
        } onCancel: {
            flag.cancel()
        }
        if priority == .interactive {
            progressTracker.recordLatency(ProcessInfo.processInfo.systemUptime - started)
        }
        return result
    }

    /// Cancels the request in flight under `supersedingKey`, if any (e.g. the query field was cleared,
    /// or the newer query was answered from the cache).
    public nonisolated func cancelRequest(supersedingKey key: String) { supersede.cancel(key) }

    // MARK: EmbeddingEncoder: tokens on the caller's thread (tokenizers are thread-safe)

    public nonisolated var supportsLateChunking: Bool { true }
    public nonisolated var tokenSource: TokenSource { .local }
    public nonisolated var endpoints: [EndpointStatus] { [] }

    public nonisolated func encode(_ texts: [String], task: String?, applyPrefix: Bool,
                                   addSpecialTokens: Bool) async throws -> [Encoding] {
        try texts.map { try backend.encode($0, task: task, applyPrefix: applyPrefix, addSpecialTokens: addSpecialTokens) }
    }

    public nonisolated func tokenSpans(_ texts: [String]) async throws -> [[Range<Int>]] { texts.map(backend.tokenSpans) }

    public nonisolated func check(ids: [Int32]) throws { try backend.check(ids: ids) }

    /// Tokenizes on the caller's task (tokenizers are thread-safe), so tokenizing a large request does
    /// not hold up the forward passes of others. Late-chunked items are counted, not kept.
    private nonisolated func tokenize(_ items: [EmbeddingItem], task: String?, applyPrefix: Bool, normalize: Bool,
                                      priority: RequestPriority, flag: CancelFlag,
                                      onBatch: (@Sendable ([Int], [[[Float]]]) -> Void)?) throws -> RequestSpec {
        var ids: [[Int32]?] = [], counts: [Int] = []
        ids.reserveCapacity(items.count)
        counts.reserveCapacity(items.count)
        for (n, item) in items.enumerated() {
            if n % 256 == 255, flag.isCancelled { throw CancellationError() }
            let tokens: [Int32]
            if let given = item.ids {
                try backend.check(ids: given)
                tokens = given
            } else {
                tokens = try backend.tokenIDs(item.text, task: task, applyPrefix: applyPrefix)
            }
            ids.append(item.chunks == nil ? tokens : nil)
            counts.append(tokens.count)
        }
        return RequestSpec(items: items, ids: ids, counts: counts, task: task, applyPrefix: applyPrefix,
                           normalize: normalize, priority: priority, flag: flag, onBatch: onBatch)
    }

    /// Queues the request's rows (from the caller's thread) and waits for the pump to answer it.
    private nonisolated func submit(_ spec: RequestSpec) async throws -> [[[Float]]] {
        if spec.flag.isCancelled { throw CancellationError() }
        return try await withCheckedThrowingContinuation { continuation in
            let (request, startPump) = table.add(spec, continuation: continuation)
            if spec.priority == .bulk { progressTracker.begin(texts: spec.items.count, tokens: request.totalTokens) }
            if startPump { Task { await self.pump() } }
        }
    }

    // MARK: - Isolated work (on the executor's queue)

    /// Runs batches while rows wait. Each batch is a synchronous forward pass on the service's queue;
    /// the `Task.yield()` after it lets other jobs of the queue run between two passes.
    private func pump() async {
        while true {
            for request in table.cancelled { fail(request, CancellationError()) }
            let bulk = bulkBudget(), full = tokenBudget
            guard let (batch, members) = table.next(budget: { $0 == .interactive ? full : bulk }, maxRows: maxRows) else {
                break
            }
            run(batch, members)
            await Task.yield()
        }
    }

    private func run(_ batch: QueuedBatch, _ members: [PendingRequest]) {
        let flags = members.map(\.spec.flag)
        let shouldCancel: @Sendable () -> Bool = { flags.allSatisfy(\.isCancelled) }
        let started = ProcessInfo.processInfo.systemUptime
        let outcome = Result { try forward(batch.rows, late: batch.late, shouldCancel: shouldCancel) }
        let seconds = ProcessInfo.processInfo.systemUptime - started
        if batch.lane == .bulk { measure(tokens: batch.tokens, seconds: seconds) }
        // Reported before the answers go out, so a client that got its answer finds the pass in the metrics.
        load.recordBatch(EncoderBatch(rows: batch.rows.count, tokens: batch.tokens, requests: members.count,
                                      lane: batch.lane, seconds: seconds))
        switch outcome {
        case .success(let vectors):
            deliver(batch.rows, vectors)
        case .failure where members.count > 1 && !shouldCancel():
            // One request's rows may be at fault: run each request's rows alone, so the others are answered.
            for member in members {
                let rows = batch.rows.filter { $0.request == member.id }
                let flag = member.spec.flag
                do {
                    deliver(rows, try forward(rows, late: false, shouldCancel: { flag.isCancelled }))
                } catch {
                    fail(member, flag.isCancelled ? CancellationError() : error)
                }
            }
        case .failure(let error):
            for member in members { fail(member, member.spec.flag.isCancelled ? CancellationError() : error) }
        }
    }

    /// One forward pass over rows of (possibly) several requests; per row, its vectors.
    private func forward(_ rows: [(request: Int, item: Int)], late: Bool,
                         shouldCancel: @escaping @Sendable () -> Bool) throws -> [[[Float]]] {
        let owners = try rows.map { row -> PendingRequest in
            guard let r = table.request(row.request) else { throw CancellationError() }
            return r
        }
        if late, let owner = owners.first, let item = rows.first?.item, let chunks = owner.spec.items[item].chunks {
            let vectors = try backend.embedLateChunks(text: owner.spec.items[item].text, chunks: chunks,
                                                      task: owner.spec.task, applyPrefix: owner.spec.applyPrefix,
                                                      shouldCancel: shouldCancel)
            guard vectors.count == chunks.count else {
                throw ModelError.invalidInput("late chunking returned \(vectors.count) vectors for \(chunks.count) chunks")
            }
            return [vectors]
        }
        let ids = zip(rows, owners).map { row, owner in owner.spec.ids[row.item] ?? [] }
        let vectors = try backend.embed(ids: ids, tasks: owners.map(\.spec.task),
                                        normalize: owners.first?.spec.normalize ?? true, shouldCancel: shouldCancel)
        guard vectors.count == rows.count else {
            throw ModelError.invalidInput("the model returned \(vectors.count) vectors for \(rows.count) texts")
        }
        return vectors.map { [$0] }
    }

    /// Hands each request its rows' vectors; a request with every item done is answered.
    private func deliver(_ rows: [(request: Int, item: Int)], _ vectors: [[[Float]]]) {
        var byRequest: [Int: (items: [Int], vectors: [[[Float]]])] = [:]
        var order: [Int] = []
        for (row, v) in zip(rows, vectors) {
            if byRequest[row.request] == nil { order.append(row.request) }
            byRequest[row.request, default: ([], [])].items.append(row.item)
            byRequest[row.request, default: ([], [])].vectors.append(v)
        }
        for id in order {
            guard let request = table.request(id), let part = byRequest[id] else { continue }
            let tokens = request.record(part.items, part.vectors)
            request.spec.onBatch?(part.items, part.vectors)
            if request.spec.priority == .bulk { progressTracker.advance(texts: part.items.count, tokens: tokens) }
            if request.isComplete { finish(request) }
        }
    }

    private func finish(_ request: PendingRequest) {
        guard table.remove(request.id) != nil else { return }
        // A request cancelled during its last batch still never delivers.
        if request.spec.flag.isCancelled { request.continuation?.resume(throwing: CancellationError()) }
        else { request.continuation?.resume(returning: request.results) }
    }

    private func fail(_ request: PendingRequest, _ error: any Error) {
        guard table.remove(request.id) != nil else { return }
        if request.spec.priority == .bulk {
            progressTracker.abandon(texts: request.spec.items.count - request.doneItems,
                                    tokens: request.totalTokens - request.doneTokens)
        }
        request.continuation?.resume(throwing: error)
    }

    /// The token budget of the next bulk batch: what the measured speed does in `targetBatchSeconds`.
    func bulkBudget() -> Int {
        guard let rate = measuredTokensPerSecond, targetBatchSeconds > 0 else { return minimumBatchTokens }
        let wanted = rate * targetBatchSeconds
        return wanted >= Double(tokenBudget) ? tokenBudget : max(minimumBatchTokens, Int(wanted))
    }

    private func measure(tokens: Int, seconds: Double) {
        guard seconds > 0 else { return }
        let rate = Double(tokens) / seconds
        measuredTokensPerSecond = measuredTokensPerSecond.map { 0.6 * $0 + 0.4 * rate } ?? rate
    }
}
