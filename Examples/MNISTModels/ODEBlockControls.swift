import ODENet

/// The settings and statistics of an `ODEBlock`, whatever its dynamics: lets a model expose its ODE
/// block without its dynamics type.
public protocol ODEBlockControls: AnyObject {
    /// How the backward pass is computed.
    var gradientMode: GradientMode { get set }
    /// Relative tolerance of adaptive steps.
    var relativeTolerance: Double { get set }
    /// Absolute tolerance of adaptive steps.
    var absoluteTolerance: Double { get set }
    /// The method and its step-size control (fixed steps give a set NFE, as for Table 1's RK-Net column).
    var stepping: Stepping { get set }
    /// Evaluations and steps of the last call (backward figures once its gradient has been computed).
    var statistics: ODEStatistics { get }
}

extension ODEBlock: ODEBlockControls {}
