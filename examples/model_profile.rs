//! Where tract spends its time in one ONNX model: runs the optimised plan on a fixed input shape
//! and prints the median run time and the time per operator kind (summed over nodes), slowest first.
//! Used to find graph rewrites that pay (issue 14).
//!
//!     cargo run --release --example model_profile -- models/mp_hand_landmark_full.onnx 1,224,224,3 [RUNS]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{EvalContext, OpState};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(file), Some(shape)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: model_profile MODEL.onnx N,H,W,C [RUNS]");
    };
    let runs: usize = args.get(3).map(|r| r.parse()).transpose()?.unwrap_or(20);
    let shape: Vec<usize> = shape.split(',').map(str::parse).collect::<Result<_, _>>()?;
    let started = Instant::now();
    let plan = tract_onnx::onnx().model_for_path(file)?.with_input_fact(0, f32::fact(&shape).into())?.into_optimized()?.into_runnable()?;
    println!("load + optimise: {:.0} ms", started.elapsed().as_secs_f64() * 1e3);
    let input: TValue = Tensor::from(tract_ndarray::ArrayD::<f32>::from_elem(shape.clone(), 0.5)).into();
    let mut state = TypedSimpleState::new(&plan)?;
    let mut totals = Vec::new();
    let mut per_op: HashMap<String, (Duration, usize)> = HashMap::new();
    for run in 0..runs + 3 {
        let started = Instant::now();
        let mut timing = as_eval(|ctx, op_state, node, inputs| {
            let t = Instant::now();
            let out = tract_onnx::tract_core::plan::eval(ctx, op_state, node, inputs);
            if run >= 3 {
                let entry = per_op.entry(node.op().name().to_string()).or_default();
                entry.0 += t.elapsed();
                entry.1 += 1;
            }
            out
        });
        state.run_plan_with_eval(tvec![input.clone()], &mut timing)?;
        if run >= 3 {
            totals.push(started.elapsed());
        }
    }
    totals.sort();
    println!("median run: {:.2} ms over {runs} runs", totals[runs / 2].as_secs_f64() * 1e3);
    let mut ops: Vec<_> = per_op.into_iter().collect();
    ops.sort_by_key(|op| std::cmp::Reverse(op.1 .0));
    for (name, (time, count)) in ops.iter().take(15) {
        println!("{:>8.2} ms  {:>4} nodes  {name}", time.as_secs_f64() * 1e3 / runs as f64, count / runs);
    }
    Ok(())
}

/// Pins the closure to the higher-ranked signature tract's plan runner asks for.
fn as_eval<F>(f: F) -> F
where
    F: for<'a, 'b, 'c> FnMut(
        &'a EvalContext<'a>,
        Option<&'b mut (dyn OpState + 'static)>,
        &'c TypedNode,
        TVec<TValue>,
    ) -> TractResult<TVec<TValue>>,
{
    f
}
