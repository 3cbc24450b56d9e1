import Autodiff

// The layers' initialisers without a generator: they draw from the library's default generator
// (`DefaultRandomNumberGenerator`, seeded with `Random.seed(_:)`), as `nn.Linear(2, 8)` does in PyTorch
// and `Linear(2, 8)` in MLX. Pass `using: &generator` for a stream of your own.

extension Linear {
    /// Creates a layer with PyTorch's default initialisation, drawn from the default generator.
    ///
    ///     Random.seed(0)
    ///     let layer = Linear<Float>(2, 8)
    ///
    /// - Parameters:
    ///   - inputDimensions: The number of input features.
    ///   - outputDimensions: The number of output features.
    ///   - bias: Whether the layer has a bias.
    ///   - activation: The activation fused into the layer.
    public convenience init(_ inputDimensions: Int, _ outputDimensions: Int, bias: Bool = true,
                            activation: Activation = .identity) {
        var generator = DefaultRandomNumberGenerator()
        self.init(inputDimensions, outputDimensions, bias: bias, activation: activation, using: &generator)
    }
}

extension Conv2d {
    /// Creates a convolution with PyTorch's default initialisation, drawn from the default generator.
    ///
    /// - Parameters:
    ///   - inputChannels: The number of input channels C.
    ///   - outputChannels: The number of output channels O.
    ///   - kernelSize: The side of the square kernel.
    ///   - stride: The step between output pixels.
    ///   - padding: The zeros added on each side of each spatial axis.
    ///   - bias: Whether the convolution has a bias.
    public convenience init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, bias: Bool = true) {
        var generator = DefaultRandomNumberGenerator()
        self.init(inputChannels, outputChannels, kernelSize: kernelSize, stride: stride, padding: padding, bias: bias,
                  using: &generator)
    }
}

extension ConcatConv2d {
    /// Creates the layer with PyTorch's default initialisation, drawn from the default generator.
    ///
    /// - Parameters:
    ///   - inputChannels: The number of state channels C (the convolution sees C + 1).
    ///   - outputChannels: The number of output channels O.
    ///   - kernelSize: The side of the square kernel (3, as in torchdiffeq).
    ///   - stride: The step between output pixels.
    ///   - padding: The zeros added on each side of each spatial axis.
    ///   - bias: Whether the convolution has a bias.
    public convenience init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int = 3, stride: Int = 1,
                            padding: Int = 0, bias: Bool = true) {
        var generator = DefaultRandomNumberGenerator()
        self.init(inputChannels, outputChannels, kernelSize: kernelSize, stride: stride, padding: padding, bias: bias,
                  using: &generator)
    }
}

extension TimeConcatenatedLinear {
    /// Creates the layer with PyTorch's default initialisation, drawn from the default generator.
    ///
    /// - Parameters:
    ///   - inputDimensions: The number of state features D (the inner layer sees D + 1).
    ///   - outputDimensions: The number of output features.
    ///   - bias: Whether the layer has a bias.
    ///   - activation: The activation fused into the layer.
    public convenience init(_ inputDimensions: Int, _ outputDimensions: Int, bias: Bool = true,
                            activation: Activation = .identity) {
        var generator = DefaultRandomNumberGenerator()
        self.init(inputDimensions, outputDimensions, bias: bias, activation: activation, using: &generator)
    }
}

extension ConcatSquashLinear {
    /// Creates the layer with PyTorch's default initialisation, drawn from the default generator.
    ///
    /// - Parameters:
    ///   - inputDimensions: The number of state features.
    ///   - outputDimensions: The number of output features.
    public convenience init(_ inputDimensions: Int, _ outputDimensions: Int) {
        var generator = DefaultRandomNumberGenerator()
        self.init(inputDimensions, outputDimensions, using: &generator)
    }
}

extension ConcatSquashMLP {
    /// Creates the field with PyTorch's default initialisation, drawn from the default generator.
    ///
    /// - Parameter dimensions: The features of the state, of each hidden layer and of the output.
    public convenience init(dimensions: [Int]) {
        var generator = DefaultRandomNumberGenerator()
        self.init(dimensions: dimensions, using: &generator)
    }
}

extension HyperNetworkDynamics {
    /// Creates the field with PyTorch's default initialisation, drawn from the default generator.
    ///
    /// - Parameters:
    ///   - stateDimensions: D, the features of the state.
    ///   - hiddenDimensions: H, the hidden features of the hypernetwork.
    ///   - width: W, the hidden units of the field.
    public convenience init(stateDimensions: Int, hiddenDimensions: Int = 32, width: Int = 64) {
        var generator = DefaultRandomNumberGenerator()
        self.init(stateDimensions: stateDimensions, hiddenDimensions: hiddenDimensions, width: width,
                  using: &generator)
    }
}
