import Foundation
import XCTest

/// `import ODENet` alone is enough (the two consumer files compile with and without Foundation).
final class OneImportTests: XCTestCase {
    func testConsumersWithAndWithoutFoundationAgree() throws {
        for result in [try consumerWithoutFoundation(), try consumerWithFoundation()] {
            XCTAssertEqual(result.cosine, Foundation.cos(0.5))
            XCTAssertEqual(result.solved, Foundation.exp(-1.0), accuracy: 1e-7)
            XCTAssertEqual(result.gradient, 0, accuracy: 1e-15)
        }
    }
}
