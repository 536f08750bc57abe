;; CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5) by table slicing, 16 bytes per lookup round.
;; The source of the bytes embedded in crc64nvme-wasm.ts: edit here, then run `npm run build:crc64-wasm`.
;;
;; Memory (little-endian, as WebAssembly always is):
;;   [0, 32768)      16 tables of 256 x i64. Table k, entry i: the register after byte i followed by k zero
;;                   bytes. A round XORs 16 lookups, one per input byte, so no byte waits for the one before.
;;   [32768, 98304)  the input window: bytes from outside this memory are copied here, 64 KiB at a time.
;;   [98304, ...)    the caller's own buffers (hash-memory.ts): update() reads them in place, with no copy.
;; The memory is shared so it can grow under buffers already handed out (a SharedArrayBuffer never detaches).
;; The register passed in and out is the raw state; the caller applies the initial value and the final xor.
;;
;; Shaped for V8's code generator (instruction counts measured with callgrind, see bench/crc64-speed.ts):
;; the 8 bytes XORed with the register are taken from a local by shift-and-mask, already scaled by 8; the
;; other 8 are loaded as bytes straight from the window (fewer instructions, and off the register's
;; dependency chain); two rounds per loop turn halve the loop's own overhead.
(module
  (memory (export "memory") 2 65535 shared)

  (func (export "init") (param $poly i64)
    (local $i i32) (local $bit i32) (local $c i64)
    ;; table 0: the classic byte-at-a-time table
    (loop $entries
      (local.set $c (i64.extend_i32_u (local.get $i)))
      (local.set $bit (i32.const 8))
      (loop $bits
        (local.set $c
          (i64.xor
            (i64.shr_u (local.get $c) (i64.const 1))
            (i64.and (local.get $poly) (i64.sub (i64.const 0) (i64.and (local.get $c) (i64.const 1))))))
        (br_if $bits (local.tee $bit (i32.sub (local.get $bit) (i32.const 1)))))
      (i64.store (i32.shl (local.get $i) (i32.const 3)) (local.get $c))
      (br_if $entries (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 256))))
    ;; tables 1..15, each one zero byte further than the table before
    (local.set $i (i32.const 2048))
    (loop $rest
      (local.set $c (i64.load (i32.sub (local.get $i) (i32.const 2048))))
      (i64.store (local.get $i)
        (i64.xor
          (i64.shr_u (local.get $c) (i64.const 8))
          (i64.load (i32.shl (i32.wrap_i64 (i64.and (local.get $c) (i64.const 0xff))) (i32.const 3)))))
      (br_if $rest (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 32768)))))

  ;; Feeds the $len bytes at $ptr to the register $crc; returns the new register.
  (func (export "update") (param $crc i64) (param $ptr i32) (param $len i32) (result i64)
    (local $p i32) (local $end i32) (local $a i64)
    (local.set $p (local.get $ptr))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    ;; 32 bytes per turn; input byte j of a round uses table 15 - j
    (block $rounds_done
      (loop $rounds
        (br_if $rounds_done (i32.gt_u (i32.add (local.get $p) (i32.const 32)) (local.get $end)))
        (local.set $a (i64.xor (i64.load offset=0 (local.get $p)) (local.get $crc)))
        (local.set $crc
          (i64.xor
            (i64.xor
              (i64.xor
                (i64.xor
                  (i64.load offset=14336 (i32.shl (i32.load8_u offset=8 (local.get $p)) (i32.const 3)))
                  (i64.load offset=12288 (i32.shl (i32.load8_u offset=9 (local.get $p)) (i32.const 3))))
                (i64.xor
                  (i64.load offset=10240 (i32.shl (i32.load8_u offset=10 (local.get $p)) (i32.const 3)))
                  (i64.load offset=8192 (i32.shl (i32.load8_u offset=11 (local.get $p)) (i32.const 3)))))
              (i64.xor
                (i64.xor
                  (i64.load offset=6144 (i32.shl (i32.load8_u offset=12 (local.get $p)) (i32.const 3)))
                  (i64.load offset=4096 (i32.shl (i32.load8_u offset=13 (local.get $p)) (i32.const 3))))
                (i64.xor
                  (i64.load offset=2048 (i32.shl (i32.load8_u offset=14 (local.get $p)) (i32.const 3)))
                  (i64.load offset=0 (i32.shl (i32.load8_u offset=15 (local.get $p)) (i32.const 3))))))
            (i64.xor
              (i64.xor
                (i64.xor
                  (i64.load offset=30720 (i32.and (i32.shl (i32.wrap_i64 (local.get $a)) (i32.const 3)) (i32.const 0x7f8)))
                  (i64.load offset=28672 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 5))) (i32.const 0x7f8))))
                (i64.xor
                  (i64.load offset=26624 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 13))) (i32.const 0x7f8)))
                  (i64.load offset=24576 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 21))) (i32.const 0x7f8)))))
              (i64.xor
                (i64.xor
                  (i64.load offset=22528 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 29))) (i32.const 0x7f8)))
                  (i64.load offset=20480 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 37))) (i32.const 0x7f8))))
                (i64.xor
                  (i64.load offset=18432 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 45))) (i32.const 0x7f8)))
                  (i64.load offset=16384 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 53))) (i32.const 0x7f8))))))))
        (local.set $a (i64.xor (i64.load offset=16 (local.get $p)) (local.get $crc)))
        (local.set $crc
          (i64.xor
            (i64.xor
              (i64.xor
                (i64.xor
                  (i64.load offset=14336 (i32.shl (i32.load8_u offset=24 (local.get $p)) (i32.const 3)))
                  (i64.load offset=12288 (i32.shl (i32.load8_u offset=25 (local.get $p)) (i32.const 3))))
                (i64.xor
                  (i64.load offset=10240 (i32.shl (i32.load8_u offset=26 (local.get $p)) (i32.const 3)))
                  (i64.load offset=8192 (i32.shl (i32.load8_u offset=27 (local.get $p)) (i32.const 3)))))
              (i64.xor
                (i64.xor
                  (i64.load offset=6144 (i32.shl (i32.load8_u offset=28 (local.get $p)) (i32.const 3)))
                  (i64.load offset=4096 (i32.shl (i32.load8_u offset=29 (local.get $p)) (i32.const 3))))
                (i64.xor
                  (i64.load offset=2048 (i32.shl (i32.load8_u offset=30 (local.get $p)) (i32.const 3)))
                  (i64.load offset=0 (i32.shl (i32.load8_u offset=31 (local.get $p)) (i32.const 3))))))
            (i64.xor
              (i64.xor
                (i64.xor
                  (i64.load offset=30720 (i32.and (i32.shl (i32.wrap_i64 (local.get $a)) (i32.const 3)) (i32.const 0x7f8)))
                  (i64.load offset=28672 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 5))) (i32.const 0x7f8))))
                (i64.xor
                  (i64.load offset=26624 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 13))) (i32.const 0x7f8)))
                  (i64.load offset=24576 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 21))) (i32.const 0x7f8)))))
              (i64.xor
                (i64.xor
                  (i64.load offset=22528 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 29))) (i32.const 0x7f8)))
                  (i64.load offset=20480 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 37))) (i32.const 0x7f8))))
                (i64.xor
                  (i64.load offset=18432 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 45))) (i32.const 0x7f8)))
                  (i64.load offset=16384 (i32.and (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 53))) (i32.const 0x7f8))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $rounds)))
    ;; the last 0..31 bytes one at a time
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $crc
          (i64.xor
            (i64.shr_u (local.get $crc) (i64.const 8))
            (i64.load
              (i32.shl
                (i32.wrap_i64 (i64.and (i64.xor (local.get $crc) (i64.load8_u (local.get $p))) (i64.const 0xff)))
                (i32.const 3)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $bytes)))
    (local.get $crc)))
