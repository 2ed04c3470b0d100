import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe compare`.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe compare is not implemented yet") }
}
