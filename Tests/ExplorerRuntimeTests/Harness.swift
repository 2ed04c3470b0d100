import Corpus
import Explorer
import ExplorerRuntime
import Foundation
import Session
import TestSupport
import XCTest

/// The explorer without a terminal: the real state machine, the real effect runner and session, and a
/// loop that feeds posted messages to `update` and its effects to the runner (debounce timers fire at
/// once). What the explorer would show is what `state` holds.
final class Harness {
    let queue = MessageQueue()
    let runner: EffectRunner
    var state: AppState

    convenience init(corpus: URL, options: EngineOptions, chunkTokens: Int? = nil, task: String? = nil, dim: Int? = nil,
                     dropListDirectory: URL? = nil) throws {
        try self.init(opened: ExplorerCorpus.open(paths: [corpus.path], field: nil, eval: nil, defaultSample: { corpus.path }),
                      options: options, chunkTokens: chunkTokens, task: task, dim: dim, dropListDirectory: dropListDirectory)
    }

    /// As `loupe explore` opens it (`ExplorerCorpus.open`: corpus paths, `--eval`).
    init(opened: ExplorerCorpus, options: EngineOptions, chunkTokens: Int? = nil, task: String? = nil, dim: Int? = nil,
         dropListDirectory: URL? = nil, width: Int = 120, height: Int = 40) throws {
        runner = EffectRunner(queue: queue, dropListDirectory: dropListDirectory ?? FileManager.default.temporaryDirectory)
        state = AppState(width: width, height: height)
        perform(update(&state, .corpusLoaded(name: opened.name, documents: opened.corpus.documents)))
        ExplorerStartup.start(options: options, corpus: opened.corpus, chunkTokens: chunkTokens, task: task, dim: dim,
                              evaluation: opened.evaluation, evaluationName: opened.evaluationName, runner: runner)
    }

    deinit { runner.stop() }

    func perform(_ effects: [Effect]) {
        for e in effects {
            switch e {
            case .debounce(let token, _): perform(update(&state, .debounceElapsed(token: token)))
            case .quit: state.quitting = true
            default: runner.run(e)
            }
        }
    }

    func send(_ message: Message) { perform(update(&state, message)) }
    func type(_ text: String) { for c in text { send(.key(.char(c))) } }

    /// Applies posted messages until `done(state)` holds (or fails after `timeout` seconds).
    func pump(timeout: Double = 120, file: StaticString = #filePath, line: UInt = #line,
              until done: (AppState) -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !done(state) {
            if let fatal = runner.fatal { throw HarnessError.fatal(fatal) }
            guard Date() < deadline else {
                XCTFail("timed out; status: \(state.status ?? "none")", file: file, line: line)
                throw HarnessError.timeout
            }
            let messages = queue.drain()
            if messages.isEmpty { try await Task.sleep(nanoseconds: 5_000_000) }
            for m in messages { send(m) }
        }
    }

    /// Waits for the model and the first index.
    func ready() async throws { try await pump { $0.indexReady } }

    /// Waits until `view` has no request in flight and its data is for the current generation.
    func settled(_ view: ViewID) async throws {
        try await pump { $0.requests[view].pending == nil && $0.requests[view].generation == $0.generation }
    }
}

enum HarnessError: Error { case fatal(String), timeout }
