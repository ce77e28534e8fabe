import CKernel
import Testing
@testable import TroupeKernel

/// Every SIMD path this CPU supports must agree with the portable one, and a
/// column's products must not depend on the other columns in its batch.
@Suite("Kernel dispatch")
struct KernelDispatchTests {
    /// Deterministic pseudo-random numbers (xorshift), so failures reproduce.
    struct Noise {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        mutating func float(_ scale: Float = 1) -> Float {
            (Float(next() % 2_000_001) / 1_000_000 - 1) * scale
        }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    }

    static let types: [GGMLType] = [.q4_0, .q4_1, .q8_0, .f16, .f32]

    /// Random rows of `type`, with sane fp16 scales in quantized blocks.
    static func weights(_ type: GGMLType, rows: Int, k: Int, noise: inout Noise) -> [UInt8] {
        let rowBytes = tk_row_bytes(Int32(type.rawValue), Int32(k))
        var bytes = [UInt8](repeating: 0, count: rows * rowBytes)
        func half(_ value: Float) -> (UInt8, UInt8) {
            let h = tk_f32_to_f16(value)
            return (UInt8(h & 0xff), UInt8(h >> 8))
        }
        for r in 0..<rows {
            var at = r * rowBytes
            switch type {
            case .f32:
                for _ in 0..<k {
                    withUnsafeBytes(of: noise.float()) { for b in $0 { bytes[at] = b; at += 1 } }
                }
            case .f16:
                for _ in 0..<k {
                    let (lo, hi) = half(noise.float())
                    bytes[at] = lo; bytes[at + 1] = hi; at += 2
                }
            default:
                let block = type.bytesPerBlock
                let header = type == .q4_1 ? 4 : 2
                for _ in 0..<(k / 32) {
                    let (dl, dh) = half(abs(noise.float(0.05)) + 0.001)
                    bytes[at] = dl; bytes[at + 1] = dh
                    if type == .q4_1 {
                        let (ml, mh) = half(noise.float(0.2))
                        bytes[at + 2] = ml; bytes[at + 3] = mh
                    }
                    for j in header..<block {
                        var b = noise.byte()
                        if type == .q8_0, b == 0x80 { b = 0x81 }  // quantizers never emit -128
                        bytes[at + j] = b
                    }
                    at += block
                }
            }
        }
        return bytes
    }

    /// out[c][r] for every column of `x` (ncols vectors of k floats).
    static func products(_ isa: KernelISA, _ type: GGMLType, _ w: [UInt8], rows: Int, k: Int,
                         x: [Float], ncols: Int) -> [Float] {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: tk_act_bytes(Int32(k), Int32(ncols)), alignment: 64)
        defer { memory.deallocate() }
        var act = tk_act()
        tk_act_bind(&act, memory, Int32(k), Int32(ncols))
        x.withUnsafeBufferPointer { tk_act_quantize(&act, $0.baseAddress, k, 0, Int32(ncols)) }
        var out = [Float](repeating: .nan, count: rows * ncols)
        w.withUnsafeBytes { w in
            out.withUnsafeMutableBufferPointer { out in
                tk_matmul(isa.rawValue, Int32(type.rawValue), w.baseAddress, 0, Int32(rows), &act,
                          out.baseAddress, Int32(rows))
            }
        }
        return out
    }

    @Test("each supported path agrees with the scalar one", arguments: types)
    func pathsAgree(type: GGMLType) {
        var noise = Noise(state: 0x9E37_79B9_7F4A_7C15 &+ UInt64(type.rawValue))
        let rows = 37, k = 576, ncols = 6
        let w = Self.weights(type, rows: rows, k: k, noise: &noise)
        let x = (0..<(k * ncols)).map { _ in noise.float(2) }
        let reference = Self.products(.scalar, type, w, rows: rows, k: k, x: x, ncols: ncols)
        for isa in KernelISA.supported where isa != .scalar {
            let out = Self.products(isa, type, w, rows: rows, k: k, x: x, ncols: ncols)
            for i in out.indices {
                let tolerance = 1e-4 * max(1, abs(reference[i]))
                #expect(abs(out[i] - reference[i]) <= tolerance, "\(isa) \(type) element \(i): \(out[i]) vs \(reference[i])")
            }
        }
    }

    @Test("a column's products are the same bits alone or in a batch", arguments: types)
    func batchInvariant(type: GGMLType) {
        var noise = Noise(state: 0x1234_5678 &+ UInt64(type.rawValue))
        // 15 columns: tiles of 8 and 4, then 3; 14: 8, 4, then 2; 13: 8, 4, then 1.
        let rows = 19, k = 1536
        let w = Self.weights(type, rows: rows, k: k, noise: &noise)
        let x = (0..<(k * 15)).map { _ in noise.float(3) }
        for isa in KernelISA.supported {
            for (ncols, c) in [(15, 0), (15, 5), (15, 9), (15, 12), (15, 14), (14, 13), (13, 12)] {
                let batched = Self.products(isa, type, w, rows: rows, k: k, x: Array(x[0..<(k * ncols)]), ncols: ncols)
                let alone = Self.products(isa, type, w, rows: rows, k: k,
                                          x: Array(x[(c * k)..<((c + 1) * k)]), ncols: 1)
                #expect(alone == Array(batched[(c * rows)..<((c + 1) * rows)]), "\(isa) \(type) column \(c) of \(ncols)")
            }
        }
    }

    @Test("every path quantizes activations to the same bits, whole or in parts")
    func quantizationAgrees() {
        var noise = Noise(state: 0xC0FF_EE00)
        let k = 1536, ncols = 3, nb = k / 32
        // Ordinary values, a zero block, ties at half steps, and one huge outlier.
        var x = (0..<(k * ncols)).map { _ in noise.float(4) }
        for i in 32..<64 { x[i] = 0 }
        for i in 64..<96 { x[i] = Float(i - 80) * 0.5 }
        x[200] = 1e6
        func quantized(_ isa: KernelISA, parts: Int) -> (qs: [Int8], d: [Float], s: [Float], f16: [UInt16]) {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: tk_act_bytes(Int32(k), Int32(ncols)), alignment: 64)
            defer { memory.deallocate() }
            var act = tk_act()
            tk_act_bind(&act, memory, Int32(k), Int32(ncols))
            x.withUnsafeBufferPointer { x in
                for c in 0..<ncols {
                    for p in 0..<parts {
                        tk_act_quantize_blocks(&act, isa.rawValue, x.baseAddress! + c * k, Int32(c),
                                               Int32(nb * p / parts), Int32(nb * (p + 1) / parts))
                    }
                }
            }
            let n = k * ncols
            return (Array(UnsafeBufferPointer(start: act.qs, count: n)), Array(UnsafeBufferPointer(start: act.d, count: n / 32)),
                    Array(UnsafeBufferPointer(start: act.s, count: n / 32)), Array(UnsafeBufferPointer(start: act.f16, count: n)))
        }
        let reference = quantized(.scalar, parts: 1)
        #expect(reference.qs[32..<64].allSatisfy { $0 == 0 } && reference.d[1] == 0)
        #expect(reference.qs[0..<32].contains { $0 != 0 })
        for isa in KernelISA.supported {
            for parts in [1, 5] {
                let got = quantized(isa, parts: parts)
                #expect(got.qs == reference.qs, "\(isa) in \(parts) parts: quants")
                #expect(got.d == reference.d && got.s == reference.s, "\(isa) in \(parts) parts: scales")
                #expect(got.f16 == reference.f16, "\(isa) in \(parts) parts: fp16 copies")
            }
        }
    }

    @Test("fp16 conversion round-trips and rounds to nearest even")
    func halfConversion() {
        for bits in stride(from: 0, through: 0x7bff, by: 7) {
            let h = UInt16(bits)
            #expect(tk_f32_to_f16(tk_f16_to_f32(h)) == h)
            #expect(tk_f32_to_f16(-tk_f16_to_f32(h)) == h | 0x8000)
        }
        #expect(tk_f32_to_f16(1 + 1.0 / 2048) == 0x3c00)        // tie: stays even
        #expect(tk_f32_to_f16(1 + 3.0 / 2048) == 0x3c02)        // tie: rounds up to even
        #expect(tk_f32_to_f16(70000) == 0x7c00)                  // overflow: infinity
        #expect(tk_f16_to_f32(0x0001) == Float(5.960464477539063e-08))  // smallest subnormal
    }

    @Test("the forced path is honoured and an unsupported one is refused")
    func forcedPath() throws {
        #expect(KernelISA.supported.contains(.scalar))
        #expect(KernelISA.supported.contains(KernelISA.best))
        for isa in KernelISA.allCases where !isa.isSupported {
            #expect(throws: InferenceError.unsupportedISA(isa)) {
                try Transformer(file: GGUFFile(url: Fixtures.modelURL), isa: isa)
            }
        }
    }
}

@Suite("Kernel dispatch through the model")
struct ModelDispatchTests {
    @Test("every supported path gives nearly the scalar path's logits through the whole model")
    func wholeModelAgrees() throws {
        let file = try GGUFFile(url: Fixtures.modelURL)
        let prompt: [Int32] = [1, 9690, 198, 2683, 359, 253, 5356, 5646, 2]
        func logits(_ isa: KernelISA) throws -> [Float] {
            let model = try Transformer(file: file, threads: 2, isa: isa)
            let cache = model.makeCache()
            var out = [Float](repeating: 0, count: model.config.vocabularySize)
            try out.withUnsafeMutableBufferPointer { buffer in
                try model.forward(prompt.enumerated().map { .init(id: $0.element, cache: cache, wantsLogits: $0.offset == prompt.count - 1) },
                                  logits: buffer.baseAddress)
            }
            return out
        }
        let reference = try logits(.scalar)
        for isa in KernelISA.supported where isa != .scalar {
            let other = try logits(isa)
            let meanDelta = zip(reference, other).map { Double(abs($0 - $1)) }.reduce(0, +) / Double(reference.count)
            // Summation order flips a few 8-bit roundings, which 30 layers amplify to
            // ~0.1 (llama.cpp's own builds differ by as much); a wrong kernel gives several units.
            #expect(meanDelta < 0.25, "\(isa): mean |dlogit| \(meanDelta) against scalar")
            let best = { (row: [Float]) in row.indices.max { row[$0] < row[$1] } }
            #expect(best(other) == best(reference), "\(isa) picks another token than scalar")
        }
    }

    @Test("a sequence fed token by token, its cache growing twice, gets the bits of one pass")
    func growingCacheKeepsContents() throws {
        let model = try Transformer(file: GGUFFile(url: Fixtures.modelURL), threads: 2)
        let ids: [Int32] = (0..<150).map { Int32(200 + ($0 * 7_919) % 40_000) }
        let vocab = model.config.vocabularySize
        var onePass = [Float](repeating: 0, count: vocab), stepwise = [Float](repeating: 1, count: vocab)
        try onePass.withUnsafeMutableBufferPointer { out in
            let cache = model.makeCache()
            try model.forward(ids.enumerated().map { .init(id: $0.element, cache: cache, wantsLogits: $0.offset == ids.count - 1) },
                              logits: out.baseAddress)
        }
        let cache = model.makeCache()
        var capacities: Set<Int> = []
        try stepwise.withUnsafeMutableBufferPointer { out in
            for (i, id) in ids.enumerated() {
                try model.forward([.init(id: id, cache: cache, wantsLogits: i == ids.count - 1)], logits: out.baseAddress)
                capacities.insert(cache.capacity)
            }
        }
        #expect(capacities.count >= 3, "the cache grew \(capacities.count - 1) times")
        #expect(stepwise == onePass)
    }
}
