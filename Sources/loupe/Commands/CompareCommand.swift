import ArgumentParser
import Foundation
import Session

/// `loupe compare`: the same texts under two task adapters, or at full vs truncated dimension.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two task adapters (or two dimensions) on texts given as JSON Lines on stdin.",
        discussion: """
        --tasks A,B embeds the texts under both tasks (at --dim K if given). --dim K with one task \
        (or none) compares the full dimension (A) with K dimensions (B). Output with --json: \
        {"a", "b", "matrix_a", "matrix_b", "difference" (B − A), "spearman" (over the off-diagonal pairs), \
        "rank_changes"}; rank_changes[i][j] = rank of j among i's neighbours under A minus under B \
        (positive: j moved closer to i under B).
        """)

    @Option(name: .long, help: "Two tasks to compare, A,B (e.g. retrieval.query,text-matching); or one task with --dim.")
    var tasks: String?
    @Option(name: .long, help: "Matryoshka dimension: of both sides with two tasks; the B side with one task.")
    var dim: Int?
    @Flag(name: .long, help: "Print JSON on stdout.")
    var json = false
    @OptionGroup var modelOptions: ModelOptions

    var taskList: [String] { (tasks ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func validate() throws {
        if taskList.count > 2 { throw ValidationError("--tasks takes exactly two tasks, A,B") }
        if taskList.count < 2 && dim == nil {
            throw ValidationError("give --tasks A,B to compare adapters, or --dim K to compare dimensions")
        }
    }

    struct Output: Encodable {
        var a: String, b: String
        var matrixA: [[Float]], matrixB: [[Float]], difference: [[Float]]
        var spearman: Float
        var rankChanges: [[Int]]
        enum CodingKeys: String, CodingKey {
            case a, b, matrixA = "matrix_a", matrixB = "matrix_b", difference, spearman, rankChanges = "rank_changes"
        }
    }

    func run() async throws {
        let texts = try AnalysisCLI.readStdinTexts()
        let list = taskList
        let engine = try await modelOptions.openEngine()
        if list.count == 2 && engine.info.tasks.isEmpty {
            throw CLIError("model \(engine.info.name) has no task adapters to compare; load jina-embeddings-v3 (--model DIR), "
                           + "or compare dimensions instead: loupe compare --dim K")
        }
        let taskA = try cliErrors { try engine.task(list.first, preferred: TaskDefaults.matching) }
        try CLI.validate(dim, engine)
        let full = engine.fullDimension
        let a: Lens, b: Lens
        if list.count == 2 {
            let taskB = try cliErrors { try engine.task(list[1], preferred: nil) }
            a = Lens(task: taskA, dim: dim ?? full); b = Lens(task: taskB, dim: dim ?? full)
        } else {
            a = Lens(task: taskA, dim: full); b = Lens(task: taskA, dim: dim ?? full)
        }
        let nameA = "\(a.task ?? "none") @\(a.dim)", nameB = "\(b.task ?? "none") @\(b.dim)"
        let answered = try await cliErrors { try await engine.compare(texts, a, b) }
        guard case .comparison(let c) = answered.answer else { throw CLIError.unexpectedAnswer }
        if json {
            return try AnalysisCLI.printJSON(Output(a: nameA, b: nameB, matrixA: c.matrixA, matrixB: c.matrixB,
                                                    difference: c.difference, spearman: c.spearman, rankChanges: c.rankChanges))
        }
        print("A = \(nameA), B = \(nameB): Spearman \(AnalysisCLI.format(c.spearman)) over \(texts.count * (texts.count - 1) / 2) pairs")
        for (title, m) in [("A", c.matrixA), ("B", c.matrixB), ("B − A", c.difference)] {
            print("\n\(title)")
            var t = TextTable([""] + texts.indices.map { "\($0)" } + ["text"], rightAligned: Set(0...texts.count))
            for (i, row) in m.enumerated() { t.add(["\(i)"] + row.map(AnalysisCLI.format) + [texts[i]]) }
            print(t.render(), terminator: "")
        }
        print("\nNearest neighbours under B (rank change from A: ↑ closer, ↓ farther)")
        var t = TextTable(["item", "neighbours under B"], rightAligned: [0])
        for i in texts.indices {
            let order = texts.indices.filter { $0 != i }.sorted { x, y in
                c.matrixB[i][x] != c.matrixB[i][y] ? c.matrixB[i][x] > c.matrixB[i][y] : x < y
            }
            let cells = order.prefix(5).map { j -> String in
                let d = c.rankChanges[i][j]
                return "\(j)" + (d > 0 ? "↑\(d)" : d < 0 ? "↓\(-d)" : "")
            }
            t.add(["\(i)", cells.joined(separator: "  ")])
        }
        print(t.render(), terminator: "")
    }
}
