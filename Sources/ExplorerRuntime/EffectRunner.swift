import Corpus
import EmbeddingEngine
import Explorer
import Foundation
import Session

/// Runs the explorer's effects: indexing and questions on background tasks against the session's
/// Workspace (the encoder itself runs on the EncoderService's own queue), results posted back as
/// messages. `run` is called from the input loop's thread only; the tasks it starts touch only
/// Sendable values and the queue.
public final class EffectRunner: @unchecked Sendable {
    public let queue: MessageQueue
    /// Where `w` writes the drop list (the current directory by default).
    public let dropListDirectory: URL
    private let lock = NSLock()
    private var _workspace: Workspace?
    private var _fatal: String?
    private var tasks: [Int: Task<Void, Never>] = [:]
    /// Cancelled questions still running (cancellation is cooperative): waited for before the process
    /// ends, so no computation is inside a library whose exit handlers already ran.
    private var cancelled: [Task<Void, Never>] = []
    private var indexTask: Task<Void, Never>?
    private var progressTask: Task<Void, Never>?

    public init(queue: MessageQueue,
                dropListDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) {
        self.queue = queue; self.dropListDirectory = dropListDirectory
    }

    /// The session's workspace, once the model is loaded (effects before that are ignored: the state
    /// issues none before `.modelLoaded`).
    public var workspace: Workspace? {
        get { lock.withLock { _workspace } }
        set { lock.withLock { _workspace = newValue } }
    }

    /// An error that ends the explorer (e.g. the model failed to load); the loop polls it.
    public var fatal: String? {
        get { lock.withLock { _fatal } }
        set { lock.withLock { _fatal = newValue } }
    }

    public func run(_ effect: Effect) {
        switch effect {
        case .analyse(let id, let question, let task, let dim):
            guard let workspace else { return }
            let queue = self.queue
            let job = Task.detached(priority: .userInitiated) {
                do {
                    let answered = try await workspace.answer(question, task: task, dim: dim)
                    if !Task.isCancelled { queue.post(.result(id: id, answered.answer, latencyMs: answered.encoderMilliseconds)) }
                } catch is CancellationError {
                } catch {
                    if !Task.isCancelled { queue.post(.failed(id: id, message: "\(error)")) }
                }
            }
            lock.withLock {
                tasks[id] = job
                if tasks.count > 64 { tasks = tasks.filter { $0.key > id - 32 } }
            }
        case .cancel(let id):
            lock.withLock { () -> Task<Void, Never>? in
                guard let job = tasks.removeValue(forKey: id) else { return nil }
                cancelled.append(job)
                if cancelled.count > 64 { cancelled = Array(cancelled.suffix(32)) }
                return job
            }?.cancel()
        case .reindex(let task):
            reindex(task)
        case .writeDropList(let documents):
            writeDropList(documents)
        case .debounce, .quit:
            break                                   // handled by the loop itself
        }
    }

    /// Embeds the corpus under `task` (through the cache); the part done so far is searchable meanwhile.
    private func reindex(_ task: String?) {
        guard let workspace else { return }
        let queue = self.queue
        let job = Task.detached(priority: .utility) {
            do {
                let indexed = try await workspace.index(task: task) { chunks in
                    queue.post(.indexPartial(task: task, chunks: chunks))
                }
                guard !Task.isCancelled else { return }
                // The poller may not have seen the last batch: the status bar ends on the final count.
                queue.post(.progress(workspace.engine.encoder.progress))
                queue.post(.indexed(task: task, chunks: indexed.chunks.count, embedded: indexed.embedded,
                                    cached: indexed.cached))
            } catch is CancellationError {
            } catch {
                queue.post(.indexFailed(task: task, message: "\(error)"))
            }
        }
        lock.withLock {
            indexTask?.cancel()
            indexTask = job
        }
        startProgressPolling(workspace.engine.encoder)
    }

    /// Posts the encoder's progress — and, for remote endpoints, their states and speeds — ten times a
    /// second while they change.
    private func startProgressPolling(_ encoder: any EmbeddingEncoder) {
        let queue = self.queue
        lock.withLock {
            guard progressTask == nil else { return }
            progressTask = Task.detached(priority: .utility) {
                var last = EncoderProgress()
                var lastEndpoints: [EndpointStatus] = []
                while !Task.isCancelled {
                    let p = encoder.progress
                    if p != last { queue.post(.progress(p)); last = p }
                    let endpoints = encoder.endpoints.map(\.rounded)
                    if endpoints != lastEndpoints { queue.post(.endpoints(endpoints)); lastEndpoints = endpoints }
                    try? await Task.sleep(nanoseconds: 100_000_000)
                }
            }
        }
    }

    /// Cancels everything and waits up to `seconds` for the cancelled work to wind down (the explorer's
    /// exit: a computation still inside BLAS while the process's exit handlers run could crash it).
    public func stop(waitingUpTo seconds: Double = 0) {
        let all = lock.withLock { () -> [Task<Void, Never>] in
            defer { tasks = [:]; cancelled = []; indexTask = nil; progressTask = nil }
            return Array(tasks.values) + cancelled + [indexTask, progressTask].compactMap { $0 }
        }
        for t in all { t.cancel() }
        guard seconds > 0, !all.isEmpty else { return }
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            for t in all { await t.value }
            done.signal()
        }
        _ = done.wait(timeout: .now() + seconds)
    }

    /// Waits until the indexing and every question started so far, cancelled ones included, have finished
    /// (for tests).
    public func waitUntilIdle() async {
        let running = lock.withLock { Array(tasks.values) + cancelled + [indexTask].compactMap { $0 } }
        for t in running { await t.value }
    }

    /// Writes the documents marked "drop" (index, source, text; tab-separated) to loupe-drop-list.txt
    /// in `dropListDirectory` and reports the absolute path.
    private func writeDropList(_ documents: [Int]) {
        guard let docs = workspace?.corpus.documents else { return }
        let lines = documents.filter { docs.indices.contains($0) }.map { i in
            "\(i)\t\(docs[i].source)\t\(docs[i].text.replacingOccurrences(of: "\t", with: " "))"
        }
        let url = dropListDirectory.appendingPathComponent("loupe-drop-list.txt")
        do {
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            queue.post(.dropListWritten(path: url.path, count: lines.count))
        } catch {
            queue.post(.failed(id: nil, message: "could not write \(url.path): \(error.localizedDescription)"))
        }
    }
}

extension EndpointStatus {
    /// Speed to two significant digits and pauses to whole seconds: the status bar changes when
    /// something visible does, not on every poll.
    var rounded: EndpointStatus {
        var s = self
        if s.tokensPerSecond > 0 {
            let scale = pow(10, floor(log10(s.tokensPerSecond)) - 1)
            s.tokensPerSecond = (s.tokensPerSecond / scale).rounded() * scale
        }
        s.retryIn = s.retryIn.map { $0.rounded(.up) }
        return s
    }
}
