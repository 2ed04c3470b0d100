import XCTest

final class CorpusSmokeTests: XCTestCase {
    func testPackageBuilds() { XCTAssertTrue(true) }
}
