use std::time::Instant;
use tract_onnx::prelude::*;
fn main() -> TractResult<()> {
    for (file, shapes) in [
                           ("/tmp/seg/seg_anysize.onnx", vec![vec![1usize,3,256,256], vec![1,3,128,128], vec![1,3,160,160], vec![1,3,192,192]])] {
        for shape in shapes {
            let r = tract_onnx::onnx().model_for_path(file)?.with_input_fact(0, f32::fact(&shape).into())?.into_optimized();
            match r {
                Err(e) => println!("{file} {shape:?}: {e}"),
                Ok(m) => {
                    let plan = m.into_runnable()?;
                    let input = Tensor::zero::<f32>(&shape)?;
                    let mut state = plan.spawn()?;
                    for _ in 0..3 { state.run(tvec!(input.clone().into()))?; }
                    let t = Instant::now();
                    for _ in 0..20 { state.run(tvec!(input.clone().into()))?; }
                    let a = t.elapsed().as_secs_f64() * 50.0;
                    let t = Instant::now();
                    for _ in 0..20 { plan.run(tvec!(input.clone().into()))?; }
                    println!("{file} {shape:?}: state {a:.2} ms, fresh {:.2} ms", t.elapsed().as_secs_f64() * 50.0);
                }
            }
        }
    }
    Ok(())
}
