import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe cluster`.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cluster", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe cluster is not implemented yet") }
}
