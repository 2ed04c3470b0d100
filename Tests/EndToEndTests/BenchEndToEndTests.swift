import Foundation
import TestSupport
import XCTest

/// `loupe bench --json`: every timed engine case carries the fma peak measured just before and just after
/// it, and its share is computed against the higher of the two (a clock that moved during a long case must
/// not be compared with a peak read at the start of the run; a disturbed low reading must not flatter it).
/// Timings themselves are not asserted.
final class BenchEndToEndTests: XCTestCase {
    /// `loupe bench --model jina-e2e ARGS` in a fresh home: the process and its JSON lines.
    private func bench(_ args: [String]) throws -> (run: (status: Int32, stdout: String, stderr: String), lines: [[String: Any]]) {
        let home = try Fixtures.temporaryDirectory("loupe-e2e-bench")
        defer { try? FileManager.default.removeItem(at: home) }
        let run = try LoupeBinary.run(["bench", "--model", try Fixtures.url("jina-e2e").path] + args, home: home)
        let lines = run.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return (run, lines)
    }

    func testEveryTimedCaseIsBracketedByItsOwnPeakMeasurements() throws {
        let (run, lines) = try bench(["--case", "query", "--case", "2x16", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(lines.compactMap { $0["case"] as? String }, ["query", "2x16"], run.stdout)
        for line in lines {
            let gflops = try XCTUnwrap(line["gflops"] as? Double, "\(line)")
            XCTAssertGreaterThan(gflops, 0)
            guard let before = line["fma_peak_before_gflops"] as? Double else {
                // No AVX-512 here: no peak is measured, so no share may be printed either.
                XCTAssertNil(line["of_fma_peak"], "\(line)")
                XCTAssertNil(line["fma_peak_gflops"], "\(line)")
                continue
            }
            let after = try XCTUnwrap(line["fma_peak_after_gflops"] as? Double, "\(line)")
            let peak = try XCTUnwrap(line["fma_peak_gflops"] as? Double, "\(line)")
            let share = try XCTUnwrap(line["of_fma_peak"] as? Double, "\(line)")
            XCTAssertGreaterThan(before, 0)
            XCTAssertGreaterThan(after, 0)
            XCTAssertEqual(peak, max(before, after), accuracy: 1e-4 * peak)
            XCTAssertEqual(share, gflops / peak, accuracy: 1e-4 * share)
        }
    }

    /// `--repeat N`: the line is the run with the median share, and says how many runs and their range.
    func testRepeatedRunsReportTheMedianRunAndTheRange() throws {
        let (run, lines) = try bench(["--case", "2x16", "--repeat", "3", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let line = try XCTUnwrap(lines.first, run.stdout)
        XCTAssertEqual(line["runs"] as? Double, 3, "\(line)")
        let note = try XCTUnwrap(line["note"] as? String)
        if let share = line["of_fma_peak"] as? Double {
            let low = try XCTUnwrap(line["of_fma_peak_min"] as? Double), high = try XCTUnwrap(line["of_fma_peak_max"] as? Double)
            XCTAssertLessThanOrEqual(low, share + 1e-9)
            XCTAssertLessThanOrEqual(share, high + 1e-9)
            XCTAssertTrue(note.contains("median of 3 runs by share"), note)
            // Three shares listed, the reported one among them.
            let listed = try XCTUnwrap(note.split(separator: "(").last).dropLast().split(separator: " ").compactMap { Double($0) }
            XCTAssertEqual(listed.count, 3, note)
            XCTAssertTrue(listed.contains { abs($0 - share) < 0.0006 }, note)
        } else {
            XCTAssertTrue(note.contains("median of 3 runs by time"), note)
        }

        let bad = try bench(["--case", "2x16", "--repeat", "0"]).run
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--repeat takes 1 to 100 runs"), bad.stderr)
    }
}
