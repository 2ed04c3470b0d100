import Foundation
import JinaEmbeddings

/// Owns the model and runs every forward pass on its own background DispatchQueue (a custom
/// SerialExecutor), so neither the caller's thread nor the Swift concurrency pool is blocked.
///
/// Scheduling: interactive requests (a typed query) go before bulk work (a corpus). Bulk work is
/// tokenized, sorted by length and packed into batches; between two batches the actor suspends, so an
/// interactive request submitted meanwhile runs next, and bulk work waits until no interactive request
/// is in flight. Cancellation (Swift Task cancellation, or a newer request with the same superseding
/// key) is checked before and after every batch and polled by the model between layers; a cancelled
/// request throws `CancellationError` and never delivers a result.
public actor EncoderService {
    public nonisolated let info: ModelInfo
    public nonisolated let backend: any EmbeddingBackend
    /// The executor (and queue) every isolated method of the service runs on.
    public nonisolated let executor: DispatchQueueExecutor
    /// Progress of the bulk work; readable from any thread, observable (callback or AsyncStream).
    public nonisolated let progressTracker = ProgressTracker()
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

    /// Bulk throughput estimate (tokens per second), an exponential average over recent batches.
    private var measuredTokensPerSecond: Double?
    private var interactiveInFlight = 0
    private var bulkWaiters: [CheckedContinuation<Void, Never>] = []

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
    }

    /// The maximum tokens per input the backend truncates to.
    public nonisolated var maxLength: Int { backend.maxLength }

    /// The latest progress snapshot (bulk work).
    public nonisolated var progress: EncoderProgress { progressTracker.snapshot }

    /// Progress updates for the UI (newest only when the reader lags).
    public nonisolated func progressUpdates() -> AsyncStream<EncoderProgress> { progressTracker.updates() }

    /// Embeds items under `task` (nil = none). Returns, per item, one full-size normalized vector,
    /// or one per chunk when the item has chunks. Throws CancellationError when the calling Task
    /// is cancelled (checked at batch/layer boundaries); a cancelled request never delivers.
    public nonisolated func embed(_ items: [EmbeddingItem], task: String?, applyPrefix: Bool = true,
                                  priority: RequestPriority) async throws -> [[[Float]]] {
        try await embed(items, task: task, applyPrefix: applyPrefix, priority: priority,
                        supersedingKey: nil, onBatch: nil)
    }

    /// The full form. `supersedingKey`: a later request with the same key cancels this one (even in the
    /// middle of a batch). `onBatch(indices, vectors)` is called on the service queue after each batch with
    /// the finished items (indices into `items`): the indexer writes them to the cache as they arrive.
    public nonisolated func embed(_ items: [EmbeddingItem], task: String?, applyPrefix: Bool = true,
                                  priority: RequestPriority, supersedingKey: String?,
                                  onBatch: (@Sendable (_ indices: [Int], _ vectors: [[[Float]]]) -> Void)?)
        async throws -> [[[Float]]] {
        let flag = CancelFlag()
        // Registered on the caller's thread, before waiting for the queue: a newer query cancels the
        // older one even while the older one's batch is running.
        if let key = supersedingKey { supersede.register(key, flag: flag) }
        defer { if let key = supersedingKey { supersede.finish(key, flag: flag) } }
        let started = ProcessInfo.processInfo.systemUptime
        let result = try await withTaskCancellationHandler {
            try await self.run(items, task: task, applyPrefix: applyPrefix, priority: priority,
                               flag: flag, onBatch: onBatch)
        } onCancel: {
            flag.cancel()
        }
        if priority == .interactive {
            progressTracker.recordLatency(ProcessInfo.processInfo.systemUptime - started)
        }
        return result
    }

    /// Convenience for whole texts: one vector per text.
    public nonisolated func embed(texts: [String], task: String?, applyPrefix: Bool = true,
                                  priority: RequestPriority) async throws -> [[Float]] {
        try await embed(texts.map { EmbeddingItem(text: $0) }, task: task, applyPrefix: applyPrefix,
                        priority: priority).map { $0[0] }
    }

    /// Cancels the request in flight under `supersedingKey`, if any (e.g. the query field was cleared,
    /// or the newer query was answered from the cache).
    public nonisolated func cancelRequest(supersedingKey key: String) { supersede.cancel(key) }

    /// Token spans of a text (for the chunker); runs on the caller's thread — tokenizers are thread-safe.
    public nonisolated func tokenSpans(_ text: String) -> [Range<Int>] { backend.tokenSpans(text) }

    // MARK: - Isolated work (on the executor's queue)

    private func run(_ items: [EmbeddingItem], task: String?, applyPrefix: Bool, priority: RequestPriority,
                     flag: CancelFlag, onBatch: (@Sendable ([Int], [[[Float]]]) -> Void)?) async throws -> [[[Float]]] {
        if items.isEmpty { return [] }
        let interactive = priority == .interactive
        if interactive { interactiveInFlight += 1 }
        defer { if interactive { interactiveFinished() } }
        if !interactive { await yieldToInteractive() }
        try check(flag)

        // Tokenize (plain items keep their ids for the forward pass; late-chunked ones are counted).
        var ids: [[Int32]?] = []
        var counts: [Int] = []
        ids.reserveCapacity(items.count)
        for (n, item) in items.enumerated() {
            let tokens = try backend.tokenIDs(item.text, task: task, applyPrefix: applyPrefix)
            ids.append(item.chunks == nil ? tokens : nil)
            counts.append(tokens.count)
            if !interactive && n % 512 == 511 { await yieldToInteractive(); try check(flag) }
        }
        var batches = BatchSource(tokenCounts: counts, lateChunked: items.map { $0.chunks != nil },
                                  maxRows: maxRows, sortByLength: !interactive)
        let totalTokens = counts.reduce(0, +)
        var doneTexts = 0, doneTokens = 0
        if !interactive { progressTracker.begin(texts: items.count, tokens: totalTokens) }
        defer {
            if !interactive && doneTexts < items.count {
                progressTracker.abandon(texts: items.count - doneTexts, tokens: totalTokens - doneTokens)
            }
        }

        var results = [[[Float]]](repeating: [], count: items.count)
        let shouldCancel: @Sendable () -> Bool = { flag.isCancelled }
        while !batches.isEmpty {
            if !interactive { await yieldToInteractive() }
            try check(flag)
            // Interactive work runs at full size: nothing else may cut in, so small batches would only cost.
            guard let batch = batches.next(tokenBudget: interactive ? tokenBudget : bulkBudget()) else { break }
            let started = ProcessInfo.processInfo.systemUptime
            let vectors: [[[Float]]]
            do {
                vectors = try embedBatch(batch, items: items, ids: ids, task: task, applyPrefix: applyPrefix,
                                         shouldCancel: shouldCancel)
            } catch {
                if flag.isCancelled { throw CancellationError() }
                throw error
            }
            for (k, index) in batch.enumerated() { results[index] = vectors[k] }
            onBatch?(batch, vectors)
            let batchTokens = batch.reduce(0) { $0 + counts[$1] }
            if !interactive { measure(tokens: batchTokens, seconds: ProcessInfo.processInfo.systemUptime - started) }
            doneTexts += batch.count
            doneTokens += batchTokens
            if !interactive { progressTracker.advance(texts: batch.count, tokens: batchTokens) }
        }
        try check(flag)  // a request cancelled during its last batch still never delivers
        return results
    }

    private func embedBatch(_ batch: [Int], items: [EmbeddingItem], ids: [[Int32]?], task: String?,
                            applyPrefix: Bool, shouldCancel: @escaping @Sendable () -> Bool) throws -> [[[Float]]] {
        if batch.count == 1, let chunks = items[batch[0]].chunks {
            let vectors = try backend.embedLateChunks(text: items[batch[0]].text, chunks: chunks, task: task,
                                                      applyPrefix: applyPrefix, shouldCancel: shouldCancel)
            guard vectors.count == chunks.count else {
                throw ModelError.invalidInput("late chunking returned \(vectors.count) vectors for \(chunks.count) chunks")
            }
            return [vectors]
        }
        let rows = batch.compactMap { ids[$0] }
        let vectors = try backend.embed(ids: rows, task: task, shouldCancel: shouldCancel)
        guard vectors.count == rows.count else {
            throw ModelError.invalidInput("the model returned \(vectors.count) vectors for \(rows.count) texts")
        }
        return vectors.map { [$0] }
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

    private func check(_ flag: CancelFlag) throws {
        if flag.isCancelled || Task.isCancelled { throw CancellationError() }
    }

    /// Lets interactive requests that arrived during the last batch run first, then waits while any is
    /// still in flight. `Task.yield()` re-enqueues this task at the back of the serial queue, behind
    /// the jobs of requests submitted meanwhile.
    private func yieldToInteractive() async {
        await Task.yield()
        while interactiveInFlight > 0 {
            await withCheckedContinuation { bulkWaiters.append($0) }
        }
    }

    private func interactiveFinished() {
        interactiveInFlight -= 1
        if interactiveInFlight == 0 {
            let waiters = bulkWaiters
            bulkWaiters = []
            for waiter in waiters { waiter.resume() }
        }
    }
}
