import Analysis
import Evaluation
import Corpus
import EmbeddingEngine
import Session
import XCTest
@testable import Explorer

/// The explorer's pure state under a monkey: two thousand random sequences of messages (keys, clicks, scrolls,
/// resizes down to tiny screens, and a simulated runtime that answers, fails or drops the requests the
/// state issued, with partial and full indexes arriving meanwhile) keep every invariant.
final class MonkeyTests: XCTestCase {
    /// Every key a binding names, plus text and editing keys (never a quit key: the run must go on).
    static let keys: [Key] = {
        var keys = Keymap.bindings.flatMap(\.keys).filter { $0 != .ctrl("c") && $0 != .char("q") }
        keys += "abc xyz?!é字".map { Key.char($0) } + [.backspace, .delete, .left, .right, .enter, .esc, .tab]
        return keys
    }()

    struct Runtime {
        /// Requests issued and not yet answered or cancelled: id → (question, task).
        var open: [Int: (Question, String?)] = [:]
        var task: String?
        var indexed = false
    }

    func testRandomMessageSequencesKeepEveryInvariant() {
        var rng = SplitMix64(seed: 2026)
        var steps = 0
        for run in 0..<2000 {
            let model = run % 2 == 0 ? TestStates.jina : TestStates.miniLM
            let docs = Int.random(in: 1...60, using: &rng)
            var s = AppState(width: 120, height: 40)
            var rt = Runtime()
            var all: [Effect] = []
            func apply(_ m: Message) {
                let effects = update(&s, m)
                for e in effects {
                    switch e {
                    case .analyse(let id, let q, let task, _): rt.open[id] = (q, task)
                    case .cancel(let id): rt.open[id] = nil
                    case .reindex(let task): rt.task = task; rt.indexed = false
                    default: break
                    }
                }
                all += effects
                check(s, effects, rt, run: run)
            }
            apply(.corpusLoaded(name: "c", documents: (0..<docs).map { Document(index: $0, text: "doc \($0)", source: "c:\($0)") }))
            apply(.modelLoaded(model, task: model.hasAdapters ? "retrieval.passage" : nil, dim: nil))
            if run % 3 == 0 {
                apply(.evaluationLoaded(name: "eval", queries: ["q1", "q2"], relevance: ["q1": [0: 1], "q2": [docs - 1: 2]]))
            }
            for _ in 0..<40 {
                steps += 1
                switch Int.random(in: 0..<100, using: &rng) {
                case 0..<55: apply(.key(Self.keys.randomElement(using: &rng)!))
                case 55..<60: apply(.mouse(MouseEvent(x: Int.random(in: -2..<s.width + 2, using: &rng),
                                                      y: Int.random(in: -2..<s.height + 2, using: &rng),
                                                      kind: [.press, .press, .scrollUp, .scrollDown].randomElement(using: &rng)!)))
                case 60..<63: apply(.resize(width: Int.random(in: 1...160, using: &rng), height: Int.random(in: 1...60, using: &rng)))
                case 63..<66:
                    if !rt.indexed { apply(.indexPartial(task: rt.task, chunks: Int.random(in: 1...docs, using: &rng))) }
                case 66..<70:
                    if !rt.indexed {
                        rt.indexed = true
                        apply(.indexed(task: rt.task, chunks: docs, embedded: docs, cached: 0))
                    }
                case 70..<90:
                    guard let id = rt.open.keys.randomElement(using: &rng), let (q, _) = rt.open[id] else { break }
                    rt.open[id] = nil
                    apply(.result(id: id, answer(q, documents: docs, rng: &rng), latencyMs: 3))
                case 90..<94:
                    guard let id = rt.open.keys.randomElement(using: &rng) else { break }
                    rt.open[id] = nil
                    apply(.failed(id: id, message: "boom"))
                case 94..<97:
                    apply(.progress(EncoderProgressFixture.random(&rng)))
                default:
                    // An answer to a request nobody waits for (superseded long ago): must be ignored.
                    apply(.result(id: 10_000 + Int.random(in: 0..<100, using: &rng), .search([]), latencyMs: nil))
                }
            }
            _ = render(s)                                     // the final state of every run draws without trapping
        }
        XCTAssertEqual(steps, 80_000)
    }

    /// A plausible answer of the question's kind over `documents` documents.
    func answer(_ q: Question, documents n: Int, rng: inout SplitMix64) -> Answer {
        func hits(_ k: Int) -> [DocumentHit] {
            (0..<min(k, n)).map { _ in DocumentHit(document: Int.random(in: 0..<n, using: &rng), score: Float.random(in: -1...1, using: &rng)) }
        }
        switch q {
        case .search(_, _, let k): return .search(hits(k))
        case .neighbours(_, let k): return .neighbours(hits(k))
        case .clusters(let spec), .projection(let spec):
            let k = max(1, min(spec.k ?? 3, n))
            let assignments = (0..<n).map { $0 % k }
            let clusters = (0..<k).map { c in Cluster(size: n / k, label: "c\(c)", members: (0..<n).filter { $0 % k == c }) }
            if case .projection = q {
                return .projection(points: (0..<n).map { _ in SIMD2(Float.random(in: -1...1, using: &rng), Float.random(in: -1...1, using: &rng)) },
                                   clusters: assignments)
            }
            return .clusters(Clustering(k: k, assignments: assignments, clusters: clusters))
        case .duplicates:
            let groups = stride(from: 0, to: n - 1, by: 3).map { DuplicateGroup(members: [$0, $0 + 1], exact: false, minSimilarity: 0.95) }
            return .duplicates(DuplicatesAnswer(groups: groups))
        case .similarity(let texts):
            return .similarity(texts.map { _ in texts.map { _ in Float.random(in: -1...1, using: &rng) } })
        case .compare(let texts, _, _):
            let m = texts.map { _ in texts.map { _ in Float(0.5) } }
            return .comparison(Comparison(matrixA: m, matrixB: m, difference: m, spearman: 1,
                                          rankChanges: texts.map { _ in texts.map { _ in 0 } }))
        case .evaluation:
            return .evaluation(EvaluationViewTests.report)
        }
    }

    func check(_ s: AppState, _ effects: [Effect], _ rt: Runtime, run: Int, file: StaticString = #filePath, line: UInt = #line) {
        func fail(_ what: String) { XCTFail("run \(run): \(what)", file: file, line: line) }
        // Selections and scroll positions inside their lists.
        for view in [ViewID.search, .neighbours, .clusters, .duplicates] {
            let count = Layout.listItemCount(s, view) ?? 0
            let list = Layout.listState(s, view)
            if list.selected < 0 || list.selected > max(0, count - 1) { fail("\(view) selection \(list.selected) of \(count)") }
            if list.offset < 0 { fail("\(view) offset \(list.offset)") }
            if let w = Layout.listWidget(s, view), w.firstRow < 0 || (w.count > 0 && w.firstRow >= w.count) {
                fail("\(view) first row \(w.firstRow) of \(w.count)")
            }
        }
        if s.adapters.selected < 0 || s.adapters.selected > max(0, (s.adapters.comparison?.matrixA.count ?? 0) - 1) {
            fail("adapters selection \(s.adapters.selected)")
        }
        if s.matrix.row < 0 || s.matrix.column < 0 || (s.matrix.texts.count > 0 && max(s.matrix.row, s.matrix.column) >= s.matrix.texts.count) {
            fail("matrix cursor \(s.matrix.row),\(s.matrix.column) of \(s.matrix.texts.count)")
        }
        let area = Layout.mapArea(s)
        if s.map.cursorX < 0 || s.map.cursorY < 0 || (area.width > 0 && s.map.cursorX >= area.width) || (area.height > 0 && s.map.cursorY >= area.height) {
            fail("map cursor \(s.map.cursorX),\(s.map.cursorY) in \(area)")
        }
        if case .taskPicker(let i)? = s.overlay, !s.taskChoices.indices.contains(i) { fail("task picker row \(i)") }
        if s.adapters.mode == .evaluation && s.evaluation == nil { fail("evaluation mode without a data set") }
        if let e = s.evaluation, let r = e.report, !r.metrics.indices.contains(e.metric) { fail("metric \(e.metric)") }
        // One pending request per view, each one the runtime still knows about.
        let pending = s.requests.pendingIDs
        if Set(pending).count != pending.count { fail("two views wait for one id: \(pending)") }
        for id in pending where rt.open[id] == nil { fail("a view waits for request \(id), which nobody will answer") }
        // No request for data that does not exist yet.
        for case .analyse(_, let q, let task, let dim) in effects {
            if task != s.task || dim != s.dim { fail("a request under a stale lens") }
            switch q {
            case .neighbours, .clusters, .duplicates, .projection:
                if !s.indexReady { fail("\(q) before the corpus is indexed") }
            case .search:
                if !s.indexReady && s.partialChunks == 0 { fail("search with nothing indexed") }
            case .similarity(let texts): if texts.isEmpty { fail("an empty similarity matrix") }
            case .compare(let texts, _, _): if texts.count < 2 { fail("a comparison of fewer than two texts") }
            case .evaluation: if s.evaluation == nil { fail("an evaluation without a data set") }
            }
        }
    }
}

enum EncoderProgressFixture {
    static func random(_ rng: inout SplitMix64) -> EncoderProgress {
        var p = EncoderProgress()
        p.textsTotal = Int.random(in: 0...100, using: &rng)
        p.textsDone = Int.random(in: 0...max(0, p.textsTotal), using: &rng)
        p.tokensTotal = p.textsTotal * 10; p.tokensDone = p.textsDone * 10
        p.tokensPerSecond = Double.random(in: 0...500, using: &rng)
        return p
    }
}
