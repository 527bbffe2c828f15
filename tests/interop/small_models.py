"""Small random models in configurations the committed default export does not
cover (untied tokens, index scan order, no temporal or no spatial blocks, odd
sizes, mlp_ratio rounding half to even), exported as the engine reads them:
DIR/<case>/kinest.safetensors and a golden.safetensors with features,
float64-reference outputs and the states after named ticks.

Usage: small_models.py OUT_DIR   (prints the case directories)"""
import os
import sys
from collections import OrderedDict

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from kinestpy import export  # noqa: E402
from kinestpy import safetensors_io as st  # noqa: E402
from kinestpy.model import stream  # noqa: E402

TICKS = 25
STATE_TICKS = (0, 7, TICKS - 1)
CASES = OrderedDict([
    ("untied-index", dict(d_model=32, n_temporal=1, n_spatial=1, joint_dim=8, d_state=4, expand=2,
                          headdim=16, joint_headdim=8, d_conv=3, mix_taps=2, mlp_ratio=1.25,
                          scan_order="index", tie_tokens=False)),
    ("spatial-only", dict(d_model=24, n_temporal=0, n_spatial=3, joint_dim=6, d_state=8, expand=1,
                          headdim=8, joint_headdim=3, d_conv=2, mix_taps=5, mlp_ratio=0.5625,
                          scan_order="kinematic", tie_tokens=True)),
    ("temporal-only", dict(d_model=20, n_temporal=3, n_spatial=0, joint_dim=4, d_state=3, expand=3,
                           headdim=15, joint_headdim=4, d_conv=1, mix_taps=1, mlp_ratio=0.625,
                           scan_order="kinematic", tie_tokens=True)),
    ("contact-untied", dict(d_model=16, n_temporal=1, n_spatial=1, joint_dim=4, d_state=4, expand=2,
                            headdim=8, joint_headdim=4, d_conv=2, mix_taps=2, mlp_ratio=1.0,
                            scan_order="kinematic", tie_tokens=False, contact_head=True)),
])


def make_model(seed, cfg):
    """A random model with every parameter perturbed (no unit norms, zero biases or
    identity output bias left) and a random input normalisation."""
    model = export.random_model(seed, stream.StreamConfig(**cfg))
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.2 * torch.randn(p.shape, generator=g))
        model.input_mean.copy_(torch.randn(model.input_mean.shape, generator=g))
        model.input_std.copy_(0.5 + torch.rand(model.input_std.shape, generator=g))
    return model.float().eval()


def main(out):
    for i, (name, cfg) in enumerate(CASES.items()):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        model = make_model(100 + i, cfg)
        export.write_weights(os.path.join(d, "kinest.safetensors"), model, {}, {},
                             {"random_init": True, "seed": 100 + i})
        x = torch.randn(TICKS, model.cfg.in_features, generator=torch.Generator().manual_seed(i))
        model64 = stream.StreamKineST(model.cfg)
        model64.load_state_dict(model.state_dict())
        model64 = model64.double().eval()
        y64, states, c64 = export.run_steps(model64, x.double(), STATE_TICKS)
        y32, _, _ = export.run_steps(model, x)
        tensors = OrderedDict([("features", x.numpy()), ("output", y64.float().numpy())])
        if c64 is not None:
            tensors["contact"] = c64.float().numpy()
        for t in sorted(states):
            for k, v in states[t].items():
                tensors["state.%d.%s" % (t, k)] = v.float().numpy()
        meta = {"format": "kinest-golden", "ticks": str(TICKS),
                "state_ticks": ",".join(str(t) for t in STATE_TICKS),
                "config": model.cfg.to_json(),
                "max_abs_output_f32_vs_f64": "%.3g" % float((y32.double() - y64).abs().max())}
        st.write(os.path.join(d, "golden.safetensors"), tensors, meta)
        print(d)


if __name__ == "__main__":
    main(sys.argv[1])
