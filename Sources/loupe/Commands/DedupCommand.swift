import ArgumentParser
import Foundation
import Session

/// `loupe dedup`: groups of near-duplicate documents.
struct DedupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedup",
        abstract: "Groups of near-duplicate documents (cosine ≥ threshold, joined transitively).",
        discussion: """
        Default task: text-matching (jina models). A chunked document (--chunk-tokens) is the normalized \
        mean of its chunk vectors. Documents with the same normalized text (case-folded, \
        whitespace collapsed) are always grouped; "exact" marks groups whose members all share it. \
        min_similarity is the lowest cosine between any two members. \
        Output: {"groups": [{"members": [indices], "exact": bool, "min_similarity": x}]} with --json.
        """)

    @Argument(help: "Corpus files (.txt, .jsonl, .csv, .tsv), directories, or - for stdin.")
    var corpus: [String] = []
    @Option(name: .long, help: "Cosine similarity at or above which two documents are duplicates.")
    var threshold: Float = 0.9
    @Option(name: .long, help: "Task adapter (default text-matching for jina models; 'none' for no adapter).")
    var task: String?
    @Option(name: .long, help: "Matryoshka dimension (truncate, then renormalize).")
    var dim: Int?
    @Flag(name: .long, help: "Print JSON on stdout.")
    var json = false
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var corpusOptions: CorpusOptions

    func validate() throws {
        guard !corpus.isEmpty else { throw ValidationError("give a corpus: one or more files, a directory, or - for stdin") }
        guard threshold.isFinite, threshold >= -1, threshold <= 1 else {
            throw ValidationError("--threshold must be between -1 and 1 (cosine similarity), e.g. 0.9")
        }
    }

    struct Output: Encodable {
        struct Group: Encodable {
            var members: [Int]
            var exact: Bool
            var minSimilarity: Float
            enum CodingKeys: String, CodingKey { case members, exact, minSimilarity = "min_similarity" }
        }
        var groups: [Group]
    }

    func run() async throws {
        let (workspace, task, _) = try await CLI.openWorkspace(corpus, corpus: corpusOptions, model: modelOptions,
                                                               task: task, preferred: TaskDefaults.matching, dim: dim)
        let texts = workspace.texts
        guard case .duplicates(let answer) = try await CLI.answer(.duplicates(threshold: threshold), workspace,
                                                                   task: task, dim: dim) else { throw CLIError.unexpectedAnswer }
        let groups = answer.groups
        if json {
            return try AnalysisCLI.printJSON(Output(groups: groups.map {
                .init(members: $0.members, exact: $0.exact, minSimilarity: $0.minSimilarity)
            }))
        }
        let dupes = groups.reduce(0) { $0 + $1.members.count - 1 }
        print("\(groups.count) groups at threshold \(threshold): \(dupes) of \(texts.count) documents duplicate another")
        for (g, group) in groups.enumerated() {
            print("")
            print("group \(g)  \(group.members.count) members  min similarity \(AnalysisCLI.format(group.minSimilarity))\(group.exact ? "  exact" : "")")
            var t = TextTable(["", "index", "text"], rightAligned: [1])
            for i in group.members { t.add(["  ", "\(i)", texts[i]]) }
            print(t.render(), terminator: "")
        }
    }
}
