// ONNX Runtime (onnxruntime-node) for bench/models.py.
//
//   node ort_bench.js time MODEL.onnx THREADS N,C,H,W
//       prints "median_ms <ms>" over at least 10 runs and 1 second
//   node ort_bench.js ranges MODEL.onnx DATA.bin N,C,H,W SAMPLES
//       runs the samples (float32, C order) and prints a JSON object
//       {tensor: [min, max]} over every output of the model (bench/models.py
//       exposes each intermediate tensor as an output)
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function session(path, threads) {
  return ort.InferenceSession.create(path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

async function time(path, threads, shape) {
  const s = await session(path, threads);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size).map(() => Math.random() * 2 - 1);
  const feeds = {[s.inputNames[0]]: new ort.Tensor('float32', data, shape)};
  for (let i = 0; i < 3; ++i) await s.run(feeds);
  const times = [];
  const start = process.hrtime.bigint();
  while (times.length < 10 ||
         (Number(process.hrtime.bigint() - start) < 1e9 && times.length < 1000)) {
    const before = process.hrtime.bigint();
    await s.run(feeds);
    times.push(Number(process.hrtime.bigint() - before) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`median_ms ${times[Math.floor(times.length / 2)]}`);
}

async function ranges(path, dataPath, shape, samples) {
  const s = await session(path, 1);
  const raw = fs.readFileSync(dataPath);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const size = shape.reduce((a, b) => a * b, 1);
  const result = {};
  for (let i = 0; i < samples; ++i) {
    const x = all.slice(i * size, (i + 1) * size);
    const out = await s.run({[s.inputNames[0]]: new ort.Tensor('float32', x, shape)});
    for (const [name, tensor] of Object.entries(out)) {
      if (tensor.type !== 'float32') continue;
      let lo = Infinity, hi = -Infinity;
      for (const v of tensor.data) { if (v < lo) lo = v; if (v > hi) hi = v; }
      const old = result[name] || [Infinity, -Infinity];
      result[name] = [Math.min(old[0], lo), Math.max(old[1], hi)];
    }
  }
  console.log(JSON.stringify(result));
}

const [mode, model, ...rest] = process.argv.slice(2);
const shapeOf = (text) => text.split(',').map(Number);
const done = mode === 'time'
  ? time(model, Number(rest[0]), shapeOf(rest[1]))
  : ranges(model, rest[0], shapeOf(rest[1]), Number(rest[2]));
done.catch((e) => { console.error(e); process.exit(1); });
