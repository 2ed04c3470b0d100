import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe bench`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe bench is not implemented yet") }
}
