"""`kinest view`: pictures of a clip (matplotlib, Agg backend).

PNG: a strip of frames spread over the clip, each a 3D view of the body with
the three device poses drawn as small axes triads (X red, Y green, Z blue; an
OpenXR view and grip pose look down their -Z). With a prediction it is
overlaid on the truth (truth blue, prediction orange). GIF: the same view
animated, subsampled in time and kept small.
"""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import animation  # noqa: E402

import numpy as np  # noqa: E402

from . import clipio, evaluate, rot, skeleton  # noqa: E402

TRUTH_COLOR, PRED_COLOR = "#1f5fa8", "#e8772e"
TRIAD = 0.12   # metres


def _plot_coords(p):
    """OpenXR (x right, y up, z back) -> matplotlib 3D (x, depth = -z, up = y)."""
    p = np.asarray(p)
    return p[..., 0], -p[..., 2], p[..., 1]


def _draw_body(ax, pos, color, lw=2.2, alpha=1.0):
    for j, par in enumerate(skeleton.PARENTS):
        if par >= 0:
            x, y, z = _plot_coords(np.stack([pos[par], pos[j]]))
            ax.plot(x, y, z, color=color, lw=lw, alpha=alpha, solid_capstyle="round")
    x, y, z = _plot_coords(pos)
    ax.scatter(x, y, z, color=color, s=6, alpha=alpha, depthshade=False)


def _draw_devices(ax, dpos, dquat, flags):
    for k in range(3):
        if not flags[k] & 0x3:
            continue
        m = rot.quat_to_matrix(dquat[k])
        for a, c in enumerate(("#d62728", "#2ca02c", "#1f77b4")):
            x, y, z = _plot_coords(np.stack([dpos[k], dpos[k] + TRIAD * m[:, a]]))
            ax.plot(x, y, z, color=c, lw=1.6)
        x, y, z = _plot_coords(dpos[k][None])
        ax.scatter(x, y, z, color="black", s=10, depthshade=False)


def _setup(ax, center, half=1.0, floor=True):
    cx, cy, _ = _plot_coords(center)
    ax.set_xlim(cx - half, cx + half)
    ax.set_ylim(cy - half, cy + half)
    ax.set_zlim(0, 2 * half)
    ax.set_box_aspect((1, 1, 1), zoom=1.35)
    ax.view_init(elev=12, azim=-60)
    ax.set_axis_off()
    if floor:
        g = np.arange(-1.0, 1.01, 0.25) * half
        for v in g:
            ax.plot([cx - half, cx + half], [cy + v, cy + v], [0, 0], color="0.85", lw=0.6)
            ax.plot([cx + v, cx + v], [cy - half, cy + half], [0, 0], color="0.85", lw=0.6)


def load(clip_path, pred_path=None):
    clip = clipio.read(clip_path)
    if not clip.has_truth:
        raise ValueError("%s has no ground-truth joints to draw" % clip_path)
    pred = None
    if pred_path:
        pc = clipio.read(pred_path)
        pp, _, _ = evaluate.prediction_of(pc)
        if len(pp) != clip.frames:
            raise ValueError("%s: %d frames, the clip has %d" % (pred_path, len(pp), clip.frames))
        pred = pp
    return clip, pred


def _frame(ax, clip, pred, i, title=None):
    _setup(ax, clip.truth_pos[i, 0])
    _draw_body(ax, clip.truth_pos[i], TRUTH_COLOR)
    if pred is not None:
        _draw_body(ax, pred[i], PRED_COLOR, lw=1.8, alpha=0.9)
    _draw_devices(ax, clip.dev_pos[i], clip.dev_quat[i], clip.dev_flags[i])
    if title:
        ax.set_title(title, fontsize=9, pad=0)


def _span(clip, span):
    """First and last frame of a (start, end) time span in seconds (None: the whole clip)."""
    if span is None:
        return 0, clip.frames - 1
    t = (clip.time_ns - clip.time_ns[0]) / 1e9
    a, b = np.searchsorted(t, span[0]), np.searchsorted(t, span[1], side="right") - 1
    if not 0 <= a <= b < clip.frames:
        raise ValueError("no frames between %.2f and %.2f s (the clip lasts %.2f s)" % (span + (t[-1],)))
    return int(a), int(b)


def render_png(clip, pred, out, panels=5, name="", span=None):
    a, b = _span(clip, span)
    idx = np.linspace(a, b, panels).round().astype(int)
    fig = plt.figure(figsize=(2.6 * panels, 3.4), dpi=110)
    for k, i in enumerate(idx):
        ax = fig.add_subplot(1, panels, k + 1, projection="3d")
        _frame(ax, clip, pred, i, "t = %.2f s" % ((clip.time_ns[i] - clip.time_ns[0]) / 1e9))
    label = "%s   truth (blue)%s; device poses: X red, Y green, Z blue" % (
        name, ", prediction (orange)" if pred is not None else "")
    fig.suptitle(label, fontsize=9)
    fig.subplots_adjust(left=0.0, right=1.0, bottom=0.0, top=0.88, wspace=0.0)
    fig.savefig(out)
    plt.close(fig)


def render_gif(clip, pred, out, fps=12.5, max_seconds=8.0, size_px=300, name="", span=None):
    step = max(1, int(round(clip.rate_hz / fps)))
    a, b = _span(clip, span)
    idx = np.arange(a, b + 1, step)
    idx = idx[:max(1, int(max_seconds * clip.rate_hz / step))]
    dpi = 75
    fig = plt.figure(figsize=(size_px / dpi, size_px / dpi), dpi=dpi)
    ax = fig.add_subplot(1, 1, 1, projection="3d")
    fig.subplots_adjust(0, 0, 1, 1)

    def draw(i):
        ax.cla()
        _frame(ax, clip, pred, i)
        ax.text2D(0.03, 0.95, "%s  %.2f s" % (name[:34], (clip.time_ns[i] - clip.time_ns[0]) / 1e9),
                  transform=ax.transAxes, fontsize=7)
        return []

    anim = animation.FuncAnimation(fig, draw, frames=list(idx), blit=False)
    anim.save(out, writer=animation.PillowWriter(fps=clip.rate_hz / step))
    plt.close(fig)


def run(clip_path, out_png, pred_path=None, panels=5, gif=True, gif_seconds=8.0, span=None):
    """PNG strip (and GIF) of a clip, or of the time span (start, end) in seconds of it."""
    clip, pred = load(clip_path, pred_path)
    name = clip.meta.get("clip") or os.path.basename(clip_path)
    render_png(clip, pred, out_png, panels=panels, name=name, span=span)
    outs = [out_png]
    if gif:
        out_gif = os.path.splitext(out_png)[0] + ".gif"
        render_gif(clip, pred, out_gif, max_seconds=gif_seconds, name=name, span=span)
        outs.append(out_gif)
    return outs
