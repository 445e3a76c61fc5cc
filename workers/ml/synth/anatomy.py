"""A first-trimester mid-sagittal scene: where everything is, and how echogenic it is.

``sample_scene`` draws the anatomy (in mm, independent of the machine except for the zoom step
that frames it); ``render_scene`` turns it into an echogenicity map (mean backscattered power,
1 = a bright tissue interface, ~0.001 = amniotic fluid), the label mask (0 background, 1 head,
2 body) and a tissue map used by the mask degradations (see TISSUE_*).

Layers outward from the gestational sac: fluid, chorion/decidua (bright, with the chorionic
plate as its brightest inner line), the placenta over part of the sac, the myometrium (darker,
textured), the serosa, then pelvic tissue; near the probe, the abdominal wall (fat, fascia,
muscle) as arcs parallel to the probe face. Inside the sac: the amnion around the fetus, the
yolk sac (a bright ring), and the fetus with a bright skin line whose brightness depends on the
angle to the beam (specular), a face, limb buds, spine, heart, stomach, skull and choroid plexus.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from skimage.draw import disk

from .appearance import Appearance, sample_appearance, skin_pattern
from .artefacts import add_artefacts
from .fetus import FetusShape, build_fetus
from .profiles import MachineProfile
from .scan_conversion import SectorGeometry, window_geometry

TISSUE_OTHER, TISSUE_FLUID, TISSUE_WALL, TISSUE_FETUS = 0, 1, 2, 3
CRL_RANGE_MM = (15.0, 84.0)


@dataclass(frozen=True)
class Scene:
    fetus: FetusShape  # placed, in physical mm
    zoom_index: int
    sac_centre: np.ndarray
    sac_axes: tuple[float, float]
    sac_rotation: float
    sac_harmonics: np.ndarray  # (k, 2): amplitude, phase for orders 2..
    decidua_mm: float
    placenta_dir: float
    placenta_halfwidth: float
    placenta_mm: float
    myometrium_mm: float
    wall_layers_mm: np.ndarray  # depths of fascia lines below the probe face
    amnion_gap_mm: float
    yolk_centre: np.ndarray | None
    yolk_radius_mm: float
    touching_wall: bool
    texture_seed: int
    appearance: Appearance


def _choose_zoom(profile: MachineProfile, area_mm2: float, target_fraction: float) -> int:
    aspect = profile.image_cols / profile.image_rows
    fractions = np.array([area_mm2 / (h * h * aspect) for h in profile.zoom_heights_mm])
    return int(np.argmin(np.abs(np.log(fractions / target_fraction))))


def _sac_radius(scene_axes, rotation, harmonics, dx, dy):
    """Radius of the sac boundary in the direction of (dx, dy) and the distance from its centre."""
    c, s = np.cos(rotation), np.sin(rotation)
    u = c * dx + s * dy
    v = -s * dx + c * dy
    rho = np.hypot(u, v) + 1e-6
    cu, sv = u / rho, v / rho
    a, b = scene_axes
    radius = a * b / np.sqrt((b * cu) ** 2 + (a * sv) ** 2)
    z = cu + 1j * sv
    zk = z
    mod = np.ones_like(rho)
    for amp, phase in harmonics:
        zk = zk * z
        mod += amp * np.real(zk * np.exp(1j * phase))
    return radius * mod, rho


def sample_scene(
    profile: MachineProfile,
    rng: np.random.Generator,
    crl_mm: float | None = None,
    touching_wall: bool | None = None,
    fill_fraction: float | None = None,
) -> Scene:
    # One uniform draw, mapped to the profile's CRL range (a transvaginal probe sees small embryos):
    # on every transabdominal machine the same seed still draws the same fetus.
    lo, hi = profile.crl_range_mm or CRL_RANGE_MM
    crl = float(lo + rng.uniform(0.0, 1.0) * (hi - lo)) if crl_mm is None else float(crl_mm)
    local = build_fetus(crl, rng)
    # The appearance has its own stream: drawing it never changes the anatomy's draws.
    look = sample_appearance(np.random.default_rng([int(rng.integers(0, 2**31 - 1)), 17]))
    g = local.maturity
    touching = bool(rng.random() < 0.65) if touching_wall is None else touching_wall
    # Zoom: the fetus fills 10-40% of the frame; early embryos less (a transabdominal probe's
    # resolution cell would otherwise span a tenth of the embryo).
    top = 0.2 + 0.18 * min(1.0, max(0.0, (crl - 20.0) / 30.0))
    target = float(rng.uniform(0.11 + 0.06 * (top - 0.2) / 0.18, top)) if fill_fraction is None else fill_fraction
    if fill_fraction is None:
        target *= profile.framing_scale  # a preset with a deeper default view frames the fetus smaller
    zoom = _choose_zoom(profile, local.area_mm2, target)

    # Orientation: sonographers align the crown-rump axis near horizontal for a CRL, but a
    # share of frames (and of the views the classifier must judge) lie at any angle.
    rotation = float(rng.uniform(-0.35, 0.35))
    if look.steep:
        rotation = float(np.random.default_rng([look.seed, 3]).uniform(-np.pi / 2, np.pi / 2))
    head_left = rng.random() < 0.5
    back_down = rng.random() < 0.6
    axis = local.crl_points[1] - local.crl_points[0]
    base = -np.arctan2(axis[1], axis[0]) + rotation
    fetus = local.transformed(base, np.zeros(2), mirror=False)
    if fetus.head_centre[0] > fetus.crl_points.mean(0)[0] and head_left:
        fetus = fetus.transformed(np.pi, np.zeros(2), mirror=True)
    elif fetus.head_centre[0] < fetus.crl_points.mean(0)[0] and not head_left:
        fetus = fetus.transformed(np.pi, np.zeros(2), mirror=True)
    spine_y = fetus.spine[:, 1].mean() - fetus.body[:, 1].mean()
    if (spine_y < 0) == back_down:  # flip dorsal/ventral about the horizontal axis
        fetus = fetus.transformed(0.0, np.zeros(2), mirror=True)
        fetus = fetus.transformed(np.pi, np.zeros(2), mirror=True)

    sac_a = crl * rng.uniform(0.5, 0.66) + rng.uniform(3.0, 7.0)
    sac_axes = (sac_a, sac_a * rng.uniform(0.45, 0.65))
    sac_rot = float(rng.uniform(-0.3, 0.3))
    harmonics = np.stack([rng.normal(0, 0.05, 4) / np.arange(1, 5) ** 0.5, rng.uniform(0, 2 * np.pi, 4)], 1)

    pts = np.vstack(fetus.mask_outlines())
    centroid = pts.mean(0)
    # Offset of the fetus inside the sac: against the lower (posterior) wall or floating.
    direction = np.array([rng.normal(0, 0.35), 1.0])
    direction /= np.hypot(*direction)
    goal = rng.uniform(1.02, 1.1) if touching else rng.uniform(0.7, 0.92)

    def reach(offset: float, axes) -> float:
        radius, rho = _sac_radius(axes, sac_rot, harmonics, *(pts - centroid + direction * offset).T)
        return float(np.max(rho / radius))

    while reach(0.0, sac_axes) > goal * 0.97:
        sac_axes = (sac_axes[0] * 1.08, sac_axes[1] * 1.08)
    lo, hi = 0.0, sac_axes[0] * 2
    for _ in range(22):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if reach(mid, sac_axes) < goal else (lo, mid)
    sac_offset = -direction * lo  # sac centre relative to the fetal centroid

    # Place the fetus in the window (and so in the sector), zooming out if it does not fit.
    for attempt in range(60):
        geom = window_geometry(profile, zoom)
        span = np.array([geom.cols, geom.rows]) * geom.spacing_mm
        lo_xy = np.array([geom.x0_mm, geom.y0_mm]) + 0.06 * span - (pts.min(0) - centroid)
        hi_xy = np.array([geom.x0_mm, geom.y0_mm]) + 0.94 * span - (pts.max(0) - centroid)
        if np.all(hi_xy > lo_xy):
            where = lo_xy + rng.uniform(0.2, 0.8, 2) * (hi_xy - lo_xy)
            moved = pts - centroid + where
            if np.all(geom.inside_sector_mm(moved[:, 0], moved[:, 1], margin_mm=1.0)):
                if look.near_sector_edge:
                    where = _towards_sector_edge(geom, pts - centroid, where)
                break
        if attempt % 6 == 5 and zoom < len(profile.zoom_heights_mm) - 1:
            zoom += 1
    else:
        raise RuntimeError(f"could not place a {crl:.0f} mm fetus inside the sector of {profile.name}")
    fetus = fetus.transformed(0.0, where - centroid, mirror=False)
    sac_centre = where + sac_offset

    placenta_dir = float(rng.choice([np.pi / 2, -np.pi / 2]) + rng.normal(0, 0.6))
    if touching and look.placenta_contact:  # the fetus lies on the placenta: no fluid between
        placenta_dir = float(np.arctan2(direction[1], direction[0]))
    amnion_gap = float(rng.uniform(1.0, 5.0) * (1.0 - 0.6 * g))
    yolk_r = float(rng.uniform(1.8, 3.0))
    yolk = None
    if rng.random() < 1.0 - 0.5 * g:
        for _ in range(20):
            phi = rng.uniform(0, 2 * np.pi)
            rad, _ = _sac_radius(sac_axes, sac_rot, harmonics, np.array([np.cos(phi)]), np.array([np.sin(phi)]))
            cand = sac_centre + np.array([np.cos(phi), np.sin(phi)]) * (rad[0] - yolk_r - rng.uniform(1.5, 4))
            if np.min(np.hypot(*(pts - centroid + where - cand).T)) > yolk_r + amnion_gap + 1.5:
                yolk = cand
                break
    return Scene(
        fetus=fetus,
        zoom_index=zoom,
        sac_centre=sac_centre,
        sac_axes=sac_axes,
        sac_rotation=sac_rot,
        sac_harmonics=harmonics,
        decidua_mm=float(rng.uniform(1.8, 3.5)),
        placenta_dir=placenta_dir,
        placenta_halfwidth=float(rng.uniform(0.5, 1.2)),
        placenta_mm=float(rng.uniform(5, 12) * (0.6 + 0.8 * g)),
        myometrium_mm=float(rng.uniform(7, 16)),
        wall_layers_mm=np.sort(rng.uniform(2, 22, int(rng.integers(2, 5)))),
        amnion_gap_mm=amnion_gap,
        yolk_centre=yolk,
        yolk_radius_mm=yolk_r,
        touching_wall=touching,
        texture_seed=int(rng.integers(0, 2**31 - 1)),
        appearance=look,
    )


def _towards_sector_edge(geom: SectorGeometry, pts: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Move the placed fetus sideways towards the nearer side of the sector while it still fits
    (1 mm margin), so that the sector's edge shows right beside it."""
    side = -1.0 if where[0] < 0 else 1.0
    best = where
    for step in np.arange(1.0, 80.0, 1.0):
        cand = where + np.array([side * step, 0.0])
        moved = pts + cand
        if not np.all(geom.inside_sector_mm(moved[:, 0], moved[:, 1], margin_mm=1.0)):
            break
        best = cand
    return best


def _texture(
    rng: np.random.Generator, shape: tuple[int, int], cells: int, strength: float, stretch: float = 1.0
) -> np.ndarray:
    """Smooth multiplicative texture (mean 1): a coarse random grid resized bilinearly.

    stretch > 1 elongates the grains across the beam: tissue interfaces facing the probe."""
    rows, cols = shape
    small = rng.normal(0.0, 1.0, (cells, max(2, int(cells * cols / rows / stretch)))).astype(np.float32)
    big = np.asarray(Image.fromarray(small, mode="F").resize((cols, rows), Image.BILINEAR))
    return np.exp(strength * big - 0.5 * strength**2).astype(np.float32)


@dataclass(frozen=True)
class RenderedScene:
    echo: np.ndarray  # float32 echogenicity
    labels: np.ndarray  # uint8 0/1/2
    tissue: np.ndarray  # uint8 TISSUE_*


def _to_px(geom: SectorGeometry, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (pts[:, 1] - geom.y0_mm) / geom.spacing_mm, (pts[:, 0] - geom.x0_mm) / geom.spacing_mm


def render_scene(scene: Scene, profile: MachineProfile) -> RenderedScene:
    geom = window_geometry(profile, scene.zoom_index)
    full_rows, full_cols = geom.rows, geom.cols
    # The surroundings are smooth at the scale of a pixel: draw them at half resolution.
    rows, cols, sp = (full_rows + 1) // 2, (full_cols + 1) // 2, geom.spacing_mm * 2
    rng = np.random.default_rng(scene.texture_seed)
    x = (geom.x0_mm + geom.spacing_mm / 2 + np.arange(cols, dtype=np.float32) * sp)[None, :]
    y = (geom.y0_mm + geom.spacing_mm / 2 + np.arange(rows, dtype=np.float32) * sp)[:, None]
    g = scene.fetus.maturity

    # Distance outside the sac boundary (approximately in mm; negative inside).
    radius, rho = _sac_radius(
        scene.sac_axes, scene.sac_rotation, scene.sac_harmonics, x - scene.sac_centre[0], y - scene.sac_centre[1]
    )
    d = (rho - radius).astype(np.float32)
    px, py = np.cos(scene.placenta_dir), np.sin(scene.placenta_dir)
    cosang = ((x - scene.sac_centre[0]) * px + (y - scene.sac_centre[1]) * py) / rho
    ramp = np.clip((cosang - np.cos(scene.placenta_halfwidth)) * 3.0, 0.0, 1.0)
    placenta = (ramp * ramp * (3.0 - 2.0 * ramp)).astype(np.float32)  # smoothstep: no kinks

    tex_fine = _texture(rng, (rows, cols), 48, 0.5) * _texture(rng, (rows, cols), 64, 0.6, stretch=3.0)
    tex_coarse = _texture(rng, (rows, cols), 10, 0.9)
    t_dec = scene.decidua_mm + placenta * scene.placenta_mm
    t_myo = t_dec + scene.myometrium_mm
    echo = np.full((rows, cols), 0.05, np.float32) * tex_coarse * tex_fine  # pelvic tissue
    for depth_k in rng.uniform(4.0, 40.0, 4):  # fascial planes and bowel walls beyond the uterus
        echo += np.float32(rng.uniform(0.1, 0.4)) * np.exp(-((d - depth_k) ** 2) / 0.5) * tex_fine
    myo = (0.035 + 0.02 * np.sin(d * 1.7 + tex_coarse * 2.0)) * tex_fine * tex_coarse
    echo = np.where(d < t_myo, myo, echo)
    echo = np.where((d > t_myo - 0.6) & (d < t_myo + 0.6), 0.5 * tex_fine, echo)  # serosa
    wall = ((1.0 - 0.8 * placenta) * 0.35 + 0.9 * np.exp(-np.maximum(d, -1.0))) * tex_fine * tex_coarse
    echo = np.where(d < t_dec, wall, echo)
    echo = np.where(np.abs(d) < 0.5, 1.5 * tex_fine, echo)  # chorionic plate
    fluid = np.float32(3e-6) + np.float32(2e-5) * (d > -scene.amnion_gap_mm * 3)
    echo = np.where(d < -0.5, fluid, echo)
    tissue = np.where(d < -0.5, TISSUE_FLUID, np.where(d < t_myo, TISSUE_WALL, TISSUE_OTHER)).astype(np.uint8)

    # Abdominal wall near the probe: arcs parallel to the probe face.
    depth = np.hypot(x, y) - profile.probe_radius_mm
    near = depth < 26.0
    if near.any() and profile.approach == "transabdominal":  # a vaginal probe has no abdominal wall
        layer = np.where(depth < 8.0, 0.012, 0.03) * tex_fine
        for z in scene.wall_layers_mm:
            layer = np.where(np.abs(depth - z) < 0.45, 0.8, layer)
        echo = np.where(near & (d > t_myo), layer, echo)

    # Amnion: a thin membrane around the fetus, brightest where it faces the beam.
    pts = np.vstack(scene.fetus.mask_outlines())
    if g < 0.6 and rng.random() < 0.7:
        c = pts.mean(0)
        ax_a = (pts[:, 0].max() - pts[:, 0].min()) / 2 + scene.amnion_gap_mm
        ax_b = (pts[:, 1].max() - pts[:, 1].min()) / 2 + scene.amnion_gap_mm
        rn = np.hypot((x - c[0]) / ax_a, (y - c[1]) / ax_b)
        ring = np.abs(rn - 1.0) * min(ax_a, ax_b) < 0.3
        spec = np.abs(y - c[1]) / (np.hypot(x - c[0], y - c[1]) + 1e-3)
        echo = np.where(ring & (d < -1.0), 0.006 + 0.12 * spec**2, echo)

    if scene.yolk_centre is not None:
        r = np.hypot(x - scene.yolk_centre[0], y - scene.yolk_centre[1])
        echo = np.where(r < scene.yolk_radius_mm, np.float32(1e-5), echo)
        echo = np.where(np.abs(r - scene.yolk_radius_mm) < 0.45, np.float32(1.5), echo)

    echo = np.asarray(Image.fromarray(echo.astype(np.float32), mode="F").resize((full_cols, full_rows), Image.BILINEAR))
    echo = echo.copy()
    tissue = np.repeat(np.repeat(tissue, 2, axis=0), 2, axis=1)[:full_rows, :full_cols]
    rows, cols = full_rows, full_cols
    _draw_cord(scene.fetus, geom, echo, tissue, rng)
    labels = np.zeros((rows, cols), np.uint8)
    _draw_fetus(scene.fetus, geom, echo, labels, rng, d, scene.appearance)
    tissue[labels > 0] = TISSUE_FETUS
    add_artefacts(echo, tissue == TISSUE_FLUID, labels > 0, geom, profile.probe_radius_mm, scene.appearance)
    outside = ~geom.sector_mask
    echo[outside] = 0.0
    tissue[outside] = TISSUE_OTHER
    return RenderedScene(echo=echo.astype(np.float32), labels=labels, tissue=tissue)


def _draw_cord(fetus: FetusShape, geom: SectorGeometry, echo: np.ndarray, tissue: np.ndarray, rng) -> None:
    """The umbilical cord: a meandering tube from the ventral abdomen into the fluid."""
    n = (len(fetus.body) - 14) // 2
    start = fetus.body[n + int(0.55 * n)]  # ventral side, mid-abdomen
    centre = fetus.body.mean(0)
    heading = np.arctan2(*(start - centre)[::-1]) + rng.normal(0, 0.4)
    step = fetus.crl_mm * rng.uniform(0.025, 0.04)
    turn = rng.normal(0, 0.15)
    pts = [start]
    for _ in range(int(rng.integers(10, 22))):
        turn = 0.7 * turn + rng.normal(0, 0.12)
        heading += turn
        pts.append(pts[-1] + step * np.array([np.cos(heading), np.sin(heading)]))
    px = [((p[0] - geom.x0_mm) / geom.spacing_mm, (p[1] - geom.y0_mm) / geom.spacing_mm) for p in pts]
    width = max(2, int(round((1.2 + 1.5 * fetus.maturity) / geom.spacing_mm)))
    canvas = Image.new("L", (geom.cols, geom.rows), 0)
    draw = ImageDraw.Draw(canvas)
    draw.line(px, fill=2, width=width, joint="curve")
    draw.line(px, fill=1, width=max(1, width // 3))  # the vessels: darker core
    cord = np.asarray(canvas)
    in_fluid = tissue == TISSUE_FLUID
    echo[(cord == 2) & in_fluid] = 0.03
    echo[(cord == 1) & in_fluid] = 0.01


def _fill(shape, outline_px) -> tuple[np.ndarray, np.ndarray]:
    """Pixels inside a polygon given as (rows, cols) arrays (PIL's scan-line fill: fast)."""
    canvas = Image.new("L", (shape[1], shape[0]), 0)
    ImageDraw.Draw(canvas).polygon(list(zip(outline_px[1].tolist(), outline_px[0].tolist(), strict=True)), fill=1)
    return np.nonzero(np.asarray(canvas))


def _draw_fetus(
    fetus: FetusShape,
    geom: SectorGeometry,
    echo: np.ndarray,
    labels: np.ndarray,
    rng,
    sac_depth_half: np.ndarray,
    look: Appearance,
) -> None:
    """Draw the fetus at full resolution inside its bounding box. sac_depth_half: the distance
    outside the sac boundary (mm) at half resolution. The label mask is the drawn outline; the
    echo follows ``look``: its edge may sit a little inside or outside the outline, carry a skin
    line on part of it or none, be blurred, and the interior may be bright and varied."""
    sp = geom.spacing_mm
    g = fetus.maturity
    own = np.random.default_rng([look.seed, 1])
    origin = np.array([geom.x0_mm, geom.y0_mm])
    pts = np.vstack([fetus.head, fetus.body, *fetus.limbs])
    radius_mm = float(np.sqrt(max(fetus.area_mm2, 1.0) / np.pi))
    offset_mm = look.outline_offset * radius_mm
    blur_mm = look.edge_blur * radius_mm
    pad = 4 + int(np.ceil((abs(offset_mm) + 3.0 * blur_mm + 0.5) / sp))
    c0, r0 = np.maximum(np.floor((pts.min(0) - origin) / sp).astype(int) - pad, 0)
    c1, r1 = np.minimum(np.ceil((pts.max(0) - origin) / sp).astype(int) + pad + 1, [geom.cols, geom.rows])
    shape = (r1 - r0, c1 - c0)

    def local(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        q = (p - origin) / sp
        return q[:, 1] - r0, q[:, 0] - c0

    lab = np.zeros(shape, np.uint8)
    body_px = _fill(shape, local(fetus.body))
    lab[body_px] = 2
    drawn = np.zeros(shape, bool)
    for limb in fetus.limbs:
        rr, cc = _fill(shape, local(limb))
        drawn[rr, cc] = True
        if fetus.limbs_in_mask:
            lab[rr, cc] = 2
    head_px = _fill(shape, local(fetus.head))
    lab[head_px] = 1
    drawn |= lab > 0

    # The echo's extent: the outline moved in or out by the offset; region labels follow the
    # nearest drawn pixel (1 head, 2 body, 3 a limb outside the mask).
    region = np.where(drawn & (lab == 0), 3, lab).astype(np.uint8)
    if offset_mm > 0:
        all_px = drawn & (ndimage.distance_transform_edt(drawn) * sp > offset_mm)
        if all_px.sum() < 0.5 * drawn.sum():
            all_px = drawn
    elif offset_mm < 0:
        outside_mm, (ir, ic) = ndimage.distance_transform_edt(~drawn, return_indices=True)
        all_px = drawn | (outside_mm * sp <= -offset_mm)
        region = region[ir, ic]
    else:
        all_px = drawn
    region = np.where(all_px, region, 0)
    head_reg, body_reg = region == 1, region == 2

    inside_mm = ndimage.distance_transform_edt(all_px) * sp
    # The gradient of the distance map is the inward normal of the outline near the skin.
    gy, gx = np.gradient(inside_mm)
    centre_x = origin[0] + (c0 + c1) / 2 * sp
    centre_y = origin[1] + (r0 + r1) / 2 * sp
    beam = np.array([centre_x, centre_y]) / np.hypot(centre_x, centre_y)
    spec = np.abs(gx * beam[0] + gy * beam[1]) / (np.hypot(gx, gy) + 1e-6)

    grain = max(4, int(shape[0] * sp / 1.2))  # about one cell per 1.2 mm, elongated across the beam
    ts = look.texture_strength
    tex = _texture(rng, shape, max(4, shape[0] // 6), 0.7 * ts) * _texture(rng, shape, grain, 0.8 * ts, stretch=2.5)
    crop = echo[r0:r1, c0:c1]
    # A skin echo needs an interface: strong against fluid, weak where the fetus lies on the wall.
    rows_half = np.minimum(np.arange(r0, r1) // 2, sac_depth_half.shape[0] - 1)
    cols_half = np.minimum(np.arange(c0, c1) // 2, sac_depth_half.shape[1] - 1)
    fluid_near = sac_depth_half[rows_half][:, cols_half] < -0.8
    gain = look.interior_gain
    body_echo = np.where(head_reg, (0.012 + 0.01 * g) * gain, 0.016 * gain) * tex
    body_echo = np.where(region == 3, 0.04 * gain * tex, body_echo)
    # Bright patches (ossifying bone, liver, echogenic bowel): what makes a real interior varied.
    if look.patch_share > 0.01:
        field = np.log(_texture(own, shape, max(4, int(shape[0] * sp / (0.12 * radius_mm + 0.5))), 1.0))
        inside = field[all_px]
        if inside.size:
            patches = all_px & (field >= np.quantile(inside, 1.0 - look.patch_share))
            body_echo = np.where(patches, body_echo * look.patch_gain, body_echo)
    # A brighter band under the skin (subcutaneous tissue, ribs), some way inside the edge.
    if look.band_gain > 0:
        depth = inside_mm / radius_mm
        band = (depth >= look.band_depth) & (depth < look.band_depth + look.band_width)
        body_echo = np.where(band, body_echo * (1.0 + look.band_gain), body_echo)
    # Head: brain fluid early; skull, falx region and choroid plexus later.
    hc = fetus.head_centre
    hr, hcc = local(hc[None])
    a, b = fetus.head_axes
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    u = (xx - hcc[0]) * np.cos(fetus.head_angle) + (yy - hr[0]) * np.sin(fetus.head_angle)
    v = -(xx - hcc[0]) * np.sin(fetus.head_angle) + (yy - hr[0]) * np.cos(fetus.head_angle)
    v *= fetus.dorsal_sign
    rn = np.hypot(u / (a / sp), v / (b / sp))
    brain = head_reg & (rn < 0.8)
    body_echo = np.where(brain, (0.004 + 0.01 * g) * np.sqrt(gain) * tex, body_echo)
    if g > 0.3:
        plexus = brain & (np.hypot(u / (a / sp) + 0.05, (v / (b / sp)) - 0.35) < 0.14 + 0.08 * g)
        body_echo = np.where(plexus, 0.12 * tex, body_echo)
        skull = head_reg & (np.abs(rn - 0.9) < 0.05)
        radial = np.abs((xx - hcc[0]) * beam[0] + (yy - hr[0]) * beam[1]) / (np.hypot(xx - hcc[0], yy - hr[0]) + 1e-6)
        body_echo = np.where(skull, np.maximum(0.012, (0.03 + 2.5 * g**2) * radial**4), body_echo)
    # Skin: a line strong where it faces the beam, weak at the sides, on part of the outline only
    # (or all of it, or none), of the frame's own thickness and brightness.
    if look.skin_coverage > 0:
        rc, cc = np.nonzero(all_px)
        angles = np.arctan2(yy - rc.mean(), xx - cc.mean())
        carries = skin_pattern(angles, look.skin_coverage, own)
        skin = all_px & (inside_mm < max(look.skin_thickness_mm, 0.6 * sp)) & carries
        skin_echo = look.skin_gain * (0.02 + 0.5 * spec**2 * (0.15 + 0.85 * fluid_near)) * tex
        body_echo = np.where(skin, np.maximum(skin_echo, body_echo), body_echo)
    crop[all_px] = body_echo[all_px]
    # Echogenic structures inside (organs, ribs, the falx): small bright and dark grains.
    inner = np.argwhere(inside_mm > 1.0)
    for k in range(int(rng.integers(5, 10)) if len(inner) else 0):
        cr, cc = inner[rng.integers(len(inner))]
        radius = rng.uniform(0.4, 1.2) / sp
        pr, pc = disk((cr, cc), radius, shape=shape)
        keep = inside_mm[pr, pc] > 0.6
        value = rng.uniform(0.04, 0.15) if k % 3 else 0.004
        crop[pr[keep], pc[keep]] = value * tex[pr[keep], pc[keep]]

    if g > 0.35:
        # Palate / maxilla: a bright line from the face into the head.
        ang = fetus.head_angle - fetus.dorsal_sign * 1.25
        tip = np.array([np.cos(ang), np.sin(ang)])
        p0 = fetus.head_centre + tip * 0.85 * a
        p1 = fetus.head_centre + tip * 0.55 * a
        for f in np.linspace(0.0, 1.0, 8):
            lr, lc = local((p0 + (p1 - p0) * f)[None])
            pr, pc = disk((float(lr[0]), float(lc[0])), max(1.0, 0.3 / sp), shape=shape)
            keep = head_reg[pr, pc]
            crop[pr[keep], pc[keep]] = (0.15 + 0.6 * g) * rng.uniform(0.6, 1.0)
    if g > 0.45:
        # Nuchal translucency: fluid under the skin at the back of the neck (11-14 weeks).
        nt_mm = rng.uniform(1.0, 2.6)
        neck = np.array(local(fetus.spine[-1][None])).ravel()
        near_neck = np.hypot(yy - neck[0], xx - neck[1]) < 0.07 * fetus.crl_mm / sp
        nt = near_neck & (inside_mm > 0.5) & (inside_mm < 0.5 + nt_mm) & all_px
        crop[nt] = 0.0005

    # Spine: ossification centres as bright dots; heart and stomach; cord insertion.
    spine = np.array(local(fetus.spine)).T
    n_dots = int(10 + 14 * g)
    idx = np.linspace(2, len(spine) - 3, n_dots).astype(int)
    dot_r = max(1.0, (0.25 + 0.35 * g) / sp)
    for rr, cc in spine[idx]:
        pr, pc = disk((rr, cc), dot_r, shape=shape)
        keep = all_px[pr, pc]
        crop[pr[keep], pc[keep]] = (0.06 + 0.6 * g) * rng.uniform(0.3, 1.2)
    n = len(fetus.spine)
    w_body = np.hypot(*(fetus.body.max(0) - fetus.body.min(0))) / sp
    for t_at, depth, radius, value in ((0.72, 0.7, 0.11, 0.12), (0.5, 0.65, 0.08 * (g > 0.4), 0.002)):
        if radius <= 0:
            continue
        p = np.array(local(fetus.spine[int(t_at * (n - 1))][None])).ravel()
        q = np.array(local(fetus.body.mean(0)[None])).ravel()
        centre = p + (q - p) * depth * 1.6
        pr, pc = disk(tuple(centre), radius * w_body * 0.5, shape=shape)
        keep = body_reg[pr, pc]
        crop[pr[keep], pc[keep]] = value * tex[pr[keep], pc[keep]]

    # Edge blur: the echo's edge smeared across a band either side of it.
    if blur_mm > 0.05:
        sigma = blur_mm / sp
        blurred = ndimage.gaussian_filter(crop, sigma=sigma, mode="nearest")
        outside = ndimage.distance_transform_edt(~all_px) * sp
        near = (inside_mm + outside) < 2.5 * blur_mm
        crop[near] = blurred[near]

    labels[r0:r1, c0:c1] = lab
