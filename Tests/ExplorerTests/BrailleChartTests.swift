import XCTest
import Foundation
@testable import Explorer

/// The braille canvas shared by the Map view and line charts, and the chart layout (literal lines).
final class BrailleChartTests: XCTestCase {
    func testDotsLandInTheirBrailleBits() {
        var c = BrailleCanvas(width: 2, height: 1)
        c.set(x: 0, y: 0)              // ⠁
        c.set(x: 1, y: 3, colour: 2)   // ⢀ in the same cell
        c.set(x: 3, y: 1, colour: 5)   // second cell, right column, row 1: ⠐
        c.set(x: 4, y: 0); c.set(x: -1, y: 0)   // outside: ignored
        XCTAssertEqual(c.character(x: 0, y: 0), "⢁")
        XCTAssertEqual(c.character(x: 1, y: 0), "⠐")
        XCTAssertEqual(c.colour(x: 0, y: 0), 0, "one dot each: the smaller colour")
        XCTAssertEqual(c.colour(x: 1, y: 0), 5)
        XCTAssertNil(BrailleCanvas(width: 1, height: 1).character(x: 0, y: 0))
    }

    func testLinesIncludeBothEnds() {
        var c = BrailleCanvas(width: 2, height: 1)
        c.line(from: (0, 3), to: (3, 0), colour: 1)
        XCTAssertEqual((0..<2).compactMap { c.character(x: $0, y: 0) }.joined(), "⡠⠊")
        XCTAssertEqual(c.colour(x: 1, y: 0), 1)
    }

    func testLineChartLayout() {
        let series = [LineChart.Series(name: "a", values: [0.5, 0.75, 1.0]),
                      LineChart.Series(name: "b", values: [0.5, nil, 0.5])]
        let rows = LineChart.render(series, xLabels: ["64", "128", "384"], width: 16, height: 5, decimals: 2)
        XCTAssertEqual(rows.map { $0.map(\.text).joined() }, [
            "1.00┤       ⢀⡠⠔⠊",
            "    │   ⢀⡠⠔⠊⠁   ",
            "0.50┤⡠⠔⠊⠁      ⢀",
            "    └───────────",
            "    64   128 384",
        ])
        XCTAssertEqual(rows[0].last?.series, 0)
        // 11 plot cells (22 dots) after a 5-column margin; points at dots 0, 10, 21; rows at dots 11, 6, 0.
        XCTAssertEqual(rows[2][15].series, 1, "series b's lone end point (dot 21, 11)")
        XCTAssertEqual(rows[2][5].series, 0, "a has two dots in the first cell, b one")
        XCTAssertEqual(rows[3][0].series, nil)
        XCTAssertEqual(LineChart.render(series, xLabels: ["1"], width: 16, height: 2), [], "too small")
        XCTAssertEqual(LineChart.render([], xLabels: ["1"], width: 16, height: 5), [], "no values")
    }
}
