import ArgumentParser
import Analysis
import Foundation
import Session

/// `loupe similarity`: the cosine similarity matrix of texts read as JSON Lines on stdin.
struct SimilarityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Cosine similarity matrix of texts given as JSON Lines {\"text\": ...} on stdin.",
        discussion: "Default task: text-matching (jina models). Output: {\"matrix\": [[...], ...]} with --json.")

    @Option(name: .long, help: "Task adapter (default text-matching for jina models; 'none' for no adapter).")
    var task: String?
    @Option(name: .long, help: "Matryoshka dimension (truncate, then renormalize).")
    var dim: Int?
    @Flag(name: .long, help: "Print JSON on stdout.")
    var json = false
    @OptionGroup var modelOptions: ModelOptions

    struct Output: Encodable { var matrix: [[Float]] }

    func run() async throws {
        let texts = try AnalysisCLI.readStdinTexts()
        let engine = try await modelOptions.openEngine()
        let resolved = try cliErrors { try engine.task(task, preferred: TaskDefaults.matching) }
        try CLI.validate(dim, engine)
        let (vectors, _) = try await cliErrors { try await engine.embed(texts, task: resolved, dim: dim) }
        let matrix = Analysis.similarityMatrix(vectors)
        if json { return try AnalysisCLI.printJSON(Output(matrix: matrix)) }
        var table = TextTable([""] + texts.indices.map { "\($0)" } + ["text"], rightAligned: Set(0...texts.count))
        for (i, row) in matrix.enumerated() {
            table.add(["\(i)"] + row.map(AnalysisCLI.format) + [texts[i]])
        }
        print(table.render(), terminator: "")
    }
}
