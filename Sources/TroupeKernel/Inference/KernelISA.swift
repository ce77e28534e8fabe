internal import CKernel

/// The instruction-set path the kernel's matrix products run on.
///
/// The best path the CPU supports is chosen at run time; `TROUPE_KERNEL_ISA`
/// (`scalar`, `avx2` or `avx512`) forces one, so each path can be tested on a
/// machine that supports it. Paths agree to rounding; a process uses one path
/// throughout, so its results are repeatable.
public enum KernelISA: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Portable C, any CPU.
    case scalar = 0
    /// AVX2 with FMA and F16C.
    case avx2 = 1
    /// AVX-512 (F, BW, VL) with VNNI byte dot products.
    case avx512 = 2

    /// Whether this CPU can run the path.
    public var isSupported: Bool { tk_isa_supported(rawValue) != 0 }

    /// The paths this CPU can run, portable first.
    public static var supported: [KernelISA] { allCases.filter(\.isSupported) }

    /// The best path this CPU supports.
    public static var best: KernelISA { KernelISA(rawValue: tk_isa_best()) ?? .scalar }

    /// The path used unless one is asked for: `TROUPE_KERNEL_ISA` if it names a supported path, else ``best``.
    public static var `default`: KernelISA { KernelISA(rawValue: tk_isa_default()) ?? .scalar }

    public var description: String {
        switch self {
        case .scalar: "scalar"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }
}
