#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Requirements

/// A learning rate as a function of the epoch (counted from 0), applied by setting an optimiser's
/// `learningRate` at the start of each epoch:
///
///     let schedule = StepDecay(initialLearningRate: 0.1, milestones: [30, 80], gamma: 0.1)
///     for epoch in 0..<100 {
///         optimizer.learningRate = schedule.learningRate(atEpoch: epoch)
///         …
///     }
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for `epoch` (≥ 0).
    ///
    /// - Parameter epoch: The epoch, from 0.
    /// - Returns: The learning rate to use during it.
    func learningRate(atEpoch epoch: Int) -> Double
}

/// Multiplies the initial rate by `gamma` at each milestone epoch (PyTorch's `MultiStepLR`): the rate
/// at epoch e is `initialLearningRate · gamma^k`, k = the number of milestones ≤ e.
public struct StepDecay: LearningRateSchedule, CustomStringConvertible {
    /// The rate before the first milestone.
    public var initialLearningRate: Double
    /// The epochs at which the rate is multiplied by `gamma`; a repeated milestone applies twice.
    public var milestones: [Int]
    /// The factor applied at each milestone.
    public var gamma: Double

    /// Creates the schedule; PyTorch's default `gamma` is 0.1.
    ///
    /// - Parameters:
    ///   - initialLearningRate: The rate before the first milestone.
    ///   - milestones: The epochs at which the rate is multiplied by `gamma`, increasing.
    ///   - gamma: The factor applied at each milestone.
    public init(initialLearningRate: Double, milestones: [Int], gamma: Double = 0.1) {
        require(milestones.allSatisfy { $0 >= 0 }, "StepDecay: milestones \(milestones) must be ≥ 0")
        self.initialLearningRate = initialLearningRate
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    /// `initialLearningRate · gamma^k`, k = the number of milestones ≤ `epoch`.
    ///
    /// - Parameter epoch: The epoch, from 0.
    /// - Returns: The learning rate to use during it.
    public func learningRate(atEpoch epoch: Int) -> Double {
        require(epoch >= 0, "StepDecay: epoch \(epoch) must be ≥ 0")
        let passed = milestones.reduce(0) { $0 + ($1 <= epoch ? 1 : 0) }
        var rate = initialLearningRate
        for _ in 0..<passed { rate *= gamma }
        return rate
    }

    /// `StepDecay(initial: …, milestones: […], gamma: …)`.
    public var description: String {
        "StepDecay(initial: \(initialLearningRate), milestones: \(milestones), gamma: \(gamma))"
    }
}

/// Cosine annealing from the initial rate down to `minimum` over `total` epochs (the closed form of
/// PyTorch's `CosineAnnealingLR`, without restarts):
/// `minimum + (initial − minimum)·(1 + cos(π·e / total))/2`. Past `total` the cosine continues, as in
/// PyTorch, so the rate rises again; stop the schedule at `total` to hold the minimum.
public struct CosineAnnealing: LearningRateSchedule, CustomStringConvertible {
    /// The rate at epoch 0.
    public var initialLearningRate: Double
    /// The number of epochs of one half period (PyTorch's `T_max`).
    public var total: Int
    /// The rate at epoch `total` (PyTorch's `eta_min`).
    public var minimum: Double

    /// Creates the schedule; PyTorch's default minimum is 0.
    ///
    /// - Parameters:
    ///   - initialLearningRate: The rate at epoch 0.
    ///   - total: The epoch at which the rate reaches `minimum` (PyTorch's `T_max`).
    ///   - minimum: The rate at epoch `total` (PyTorch's `eta_min`).
    public init(initialLearningRate: Double, total: Int, minimum: Double = 0) {
        require(total > 0, "CosineAnnealing: total \(total) must be > 0")
        self.initialLearningRate = initialLearningRate
        self.total = total
        self.minimum = minimum
    }

    /// `minimum + (initial − minimum)·(1 + cos(π·epoch / total))/2`.
    ///
    /// - Parameter epoch: The epoch, from 0.
    /// - Returns: The learning rate to use during it.
    public func learningRate(atEpoch epoch: Int) -> Double {
        require(epoch >= 0, "CosineAnnealing: epoch \(epoch) must be ≥ 0")
        return minimum + (initialLearningRate - minimum) * (1 + cos(Double.pi * Double(epoch) / Double(total))) / 2
    }

    /// `CosineAnnealing(initial: …, total: …, minimum: …)`.
    public var description: String {
        "CosineAnnealing(initial: \(initialLearningRate), total: \(total), minimum: \(minimum))"
    }
}
