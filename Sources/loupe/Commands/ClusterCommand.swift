import ArgumentParser
import Foundation
import Session

/// `loupe cluster`: k-means++ (k given or chosen by silhouette) or average-link clustering of a corpus.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Cluster the documents of a corpus (k-means++, or average-link agglomerative).",
        discussion: """
        Default task: separation (jina models). Without --k, k is chosen automatically (--auto) by \
        silhouette over a sample. A chunked document is clustered by the normalized mean of its chunks. \
        Output: {"k": N, "assignments": [...], "clusters": [{"size": n, "label": "...", "central": [indices]}]} \
        with --json; clusters are ordered largest first and assignments index that order.
        """)


    @Argument(help: "Corpus files (.txt, .jsonl, .csv, .tsv), directories, or - for stdin.")
    var corpus: [String] = []
    @Option(name: .long, help: "Number of clusters.")
    var k: Int?
    @Flag(name: .long, help: "Choose k automatically by silhouette (the default when --k is absent).")
    var auto = false
    @Option(name: .long, help: "Largest k tried by --auto.")
    var maxK = 12
    @Option(name: .long, help: "kmeans or agglomerative (average link, up to \(ClusterSpec.agglomerativeLimit) documents).")
    var method: ClusterSpec.Method = .kmeans
    @Option(name: .long, help: "Seed for k-means++ (same seed, same clusters).")
    var seed: UInt64 = 42
    @Option(name: .long, help: "Task adapter (default separation for jina models; 'none' for no adapter).")
    var task: String?
    @Option(name: .long, help: "Matryoshka dimension (truncate, then renormalize).")
    var dim: Int?
    @Flag(name: .long, help: "Print JSON on stdout.")
    var json = false
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var corpusOptions: CorpusOptions

    func validate() throws {
        guard !corpus.isEmpty else { throw ValidationError("give a corpus: one or more files, a directory, or - for stdin") }
        if let k, k < 1 { throw ValidationError("--k must be at least 1") }
        if k != nil && auto { throw ValidationError("give either --k N or --auto, not both") }
        if maxK < 2 { throw ValidationError("--max-k must be at least 2") }
        if method == .agglomerative && k == nil { throw ValidationError("--method agglomerative needs --k N") }
    }

    struct Output: Encodable {
        struct Item: Encodable { var size: Int; var label: String; var central: [Int] }
        var k: Int
        var assignments: [Int]
        var clusters: [Item]
        var silhouette: Float?
    }

    func run() async throws {
        let (workspace, task, _) = try await CLI.openWorkspace(corpus, corpus: corpusOptions, model: modelOptions,
                                                               task: task, preferred: TaskDefaults.clustering, dim: dim)
        let texts = workspace.texts
        let spec = ClusterSpec(k: k, maxK: maxK, method: method, seed: seed)
        guard case .clusters(let result) = try await CLI.answer(.clusters(spec), workspace, task: task, dim: dim) else { throw CLIError.unexpectedAnswer }
        if json {
            return try AnalysisCLI.printJSON(Output(
                k: result.k, assignments: result.assignments,
                clusters: result.clusters.map { .init(size: $0.size, label: $0.label, central: $0.central) },
                silhouette: result.silhouette))
        }
        var header = "\(result.k) clusters of \(texts.count) documents"
        if let s = result.silhouette { header += " (chosen by silhouette \(AnalysisCLI.format(s)))" }
        print(header)
        for (c, cluster) in result.clusters.enumerated() {
            print("")
            print("cluster \(c)  size \(cluster.size)  \(cluster.label.isEmpty ? "(no label)" : cluster.label)")
            var t = TextTable(["", "index", "text"], rightAligned: [1])
            for i in cluster.central { t.add(["  ", "\(i)", texts[i]]) }
            print(t.render(), terminator: "")
        }
    }
}

extension ClusterSpec.Method: ExpressibleByArgument {}
