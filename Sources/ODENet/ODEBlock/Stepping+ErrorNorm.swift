import Solvers

extension Stepping {
    /// This stepping with its controller's norm replaced by `norm(kind)`, `kind` being the controller's
    /// (RMS or maximum); a fixed-step stepping is returned as is.
    func replacingNorm(_ norm: (ErrorNorm.Kind) -> ErrorNorm) -> Stepping {
        guard var controller else { return self }
        controller.norm = norm(controller.norm.kind)
        var result = self
        result.controller = controller
        return result
    }
}
