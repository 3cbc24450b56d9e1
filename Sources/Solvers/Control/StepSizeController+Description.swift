extension StepSizeController: CustomStringConvertible {
    /// The controller as the call that builds it: tolerances and norm, then only the settings that differ
    /// from the defaults, e.g. `StepSizeController(rtol: 1e-07, atol: 1e-09, norm: rms,
    /// limitsGrowthAfterRejection: false, endpoint: interpolated)`.
    public var description: String {
        let defaults = StepSizeController(relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
        var parts = ["rtol: \(relativeTolerance)", "atol: \(absoluteTolerance)", "norm: \(norm)"]
        func add<Value: Equatable>(_ name: String, _ value: Value, _ standard: Value) {
            if value != standard { parts.append("\(name): \(value)") }
        }
        add("safetyFactor", safetyFactor, defaults.safetyFactor)
        add("minimumFactor", minimumFactor, defaults.minimumFactor)
        add("maximumFactor", maximumFactor, defaults.maximumFactor)
        add("integralGain", integralGain, defaults.integralGain)
        add("proportionalGain", proportionalGain, defaults.proportionalGain)
        add("derivativeGain", derivativeGain, defaults.derivativeGain)
        add("stepRatioGain", stepRatioGain, defaults.stepRatioGain)
        add("minimumStepSize", minimumStepSize, defaults.minimumStepSize)
        add("maximumStepSize", maximumStepSize, defaults.maximumStepSize)
        if let initialStepSize { parts.append("initialStepSize: \(initialStepSize)") }
        add("acceptedStepsNeverShrink", acceptedStepsNeverShrink, defaults.acceptedStepsNeverShrink)
        add("limitsGrowthAfterRejection", limitsGrowthAfterRejection, defaults.limitsGrowthAfterRejection)
        add("endpoint", endpoint, defaults.endpoint)
        return "StepSizeController(" + parts.joined(separator: ", ") + ")"
    }
}

extension StepSizeController.Endpoint: CustomStringConvertible {
    /// `exact` or `interpolated`.
    public var description: String {
        switch self {
        case .exact: return "exact"
        case .interpolated: return "interpolated"
        }
    }
}
