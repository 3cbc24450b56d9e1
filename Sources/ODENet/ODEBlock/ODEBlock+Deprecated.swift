import Solvers

/// The settings ``ODEBlock`` kept before `stepping`, for one minor version.
extension ODEBlock {
    /// The earlier initialiser taking a tableau and an optional fixed step.
    ///
    /// - Parameters:
    ///   - dynamics: The vector field.
    ///   - method: The tableau; an embedded pair unless `stepSize` is given.
    ///   - relativeTolerance: rtol of adaptive steps.
    ///   - absoluteTolerance: atol of adaptive steps.
    ///   - stepSize: A fixed step size, or nil for adaptive steps.
    ///   - gradientMode: How gradients are computed.
    @available(*, deprecated, message: "use ODEBlock(_:method:relativeTolerance:absoluteTolerance:gradientMode:) with a method (EmbeddedRungeKutta(tableau)), or ODEBlock(_:method:stepSize:gradientMode:)")
    @_disfavoredOverload
    public convenience init(_ dynamics: D, method: ButcherTableau, relativeTolerance: Double = 1e-7,
                            absoluteTolerance: Double = 1e-9, stepSize: Double? = nil,
                            gradientMode: GradientMode = .adjoint()) {
        if let stepSize {
            self.init(dynamics, stepping: .fixed(ExplicitRungeKutta(method), stepSize: stepSize),
                      gradientMode: gradientMode)
        } else {
            guard method.isAdaptive else {
                fatalError("ODEBlock: \(method.name) has no error estimate; give a stepSize or an adaptive method")
            }
            let controller = StepSizeController.torchdiffeq(relativeTolerance: relativeTolerance,
                                                            absoluteTolerance: absoluteTolerance)
            self.init(dynamics, stepping: .adaptive(EmbeddedRungeKutta(method), controller: controller),
                      gradientMode: gradientMode)
        }
    }

    /// The forward controller's relative tolerance.
    @available(*, deprecated, message: "use stepping.controller?.relativeTolerance")
    public var relativeTolerance: Double {
        get { stepping.controller?.relativeTolerance[0] ?? 0 }
        set { updateController("relativeTolerance") { $0.relativeTolerance = .scalar(newValue) } }
    }

    /// The forward controller's absolute tolerance.
    @available(*, deprecated, message: "use stepping.controller?.absoluteTolerance")
    public var absoluteTolerance: Double {
        get { stepping.controller?.absoluteTolerance[0] ?? 0 }
        set { updateController("absoluteTolerance") { $0.absoluteTolerance = .scalar(newValue) } }
    }

    /// The fixed step size, `nil` for adaptive steps.
    @available(*, deprecated, message: "use stepping.stepSize, or set stepping = .fixed(method, stepSize:)")
    public var stepSize: Double? { stepping.stepSize }

    /// The forward controller's error norm.
    @available(*, deprecated, message: "use stepping.controller?.norm")
    public var errorNorm: ErrorNorm {
        get { stepping.controller?.norm ?? .rms }
        set { updateController("norm") { $0.norm = newValue } }
    }

    /// How the forward controller meets the last time.
    @available(*, deprecated, message: "use stepping.controller?.endpoint")
    public var endpoint: StepSizeController.Endpoint {
        get { stepping.controller?.endpoint ?? .exact }
        set { updateController("endpoint") { $0.endpoint = newValue } }
    }

    /// Applies `change` to the forward controller; a fixed-step block has none (a programming error).
    private func updateController(_ setting: String, _ change: (inout StepSizeController) -> Void) {
        guard var controller = stepping.controller else {
            fatalError("ODEBlock: the block takes fixed steps (\(stepping)); it has no \(setting) to set")
        }
        change(&controller)
        stepping.controller = controller
    }
}
