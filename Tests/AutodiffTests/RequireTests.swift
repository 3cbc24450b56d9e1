import Requirements
import XCTest

/// `require(_:_:)` on its passing path. Its failing path stops the process, so it is exercised from the
/// release build by `.ci/check-release-messages` (Tests/ReleaseChecks), not here.
final class RequireTests: XCTestCase {
    func testAPassingCheckNeverBuildsItsMessage() {
        var messagesBuilt = 0
        func message() -> String {
            messagesBuilt += 1
            return "built"
        }
        for i in 0..<1000 { require(i >= 0, message()) }
        XCTAssertEqual(messagesBuilt, 0)
    }

    func testTheConditionIsEvaluatedExactlyOnce() {
        var evaluations = 0
        func condition() -> Bool {
            evaluations += 1
            return true
        }
        require(condition(), "unused")
        XCTAssertEqual(evaluations, 1)
    }
}
