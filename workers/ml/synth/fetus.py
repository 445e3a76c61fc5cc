"""The fetus in a mid-sagittal view: outlines of head and body with flexion, face and limbs.

Shapes are built in millimetres in a local frame (x along the body from rump towards the neck,
y dorsal) and then scaled so that the maximum Feret diameter of head plus body equals the CRL to
draw. Outlines are irregular on purpose: low-order harmonics plus a small ripple, a face profile
(forehead, nose, lips, chin) once the face has formed, limb buds that grow into limbs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import pdist, squareform

FIRST_GA_DAYS = 56.0  # 8+0
LAST_GA_DAYS = 98.0  # 14+0


def robinson_ga_days(crl_mm: float) -> float:
    """Robinson & Fleming 1975: GA(days) = 8.052 sqrt(CRL mm) + 23.73."""
    return 8.052 * float(np.sqrt(crl_mm)) + 23.73


def robinson_crl_mm(ga_days: float) -> float:
    return ((ga_days - 23.73) / 8.052) ** 2


@dataclass(frozen=True)
class FetusShape:
    """Outlines in mm (N x 2 arrays of (x, y)), already scaled and placed."""

    head: np.ndarray
    body: np.ndarray
    limbs: tuple[np.ndarray, ...]  # limb outlines drawn in the image; in the mask only while buds
    limbs_in_mask: bool
    spine: np.ndarray  # points along the spine (dorsal third of the body)
    head_centre: np.ndarray
    head_axes: tuple[float, float]
    head_angle: float  # radians, direction of the crown from the head centre
    dorsal_sign: float
    crl_points: np.ndarray  # 2 x 2: the Feret end points (x, y)
    crl_mm: float
    maturity: float  # 0 at 8+0 weeks, 1 at 14+0

    def transformed(self, rotation: float, offset: np.ndarray, mirror: bool) -> FetusShape:
        c, s = np.cos(rotation), np.sin(rotation)
        m = np.array([[c, -s], [s, c]])
        if mirror:
            m = m @ np.array([[1.0, 0.0], [0.0, -1.0]])

        def t(p: np.ndarray) -> np.ndarray:
            return p @ m.T + offset

        axis = m @ np.array([np.cos(self.head_angle), np.sin(self.head_angle)])
        return FetusShape(
            head=t(self.head),
            body=t(self.body),
            limbs=tuple(t(limb) for limb in self.limbs),
            limbs_in_mask=self.limbs_in_mask,
            spine=t(self.spine),
            head_centre=t(self.head_centre[None])[0],
            head_axes=self.head_axes,
            head_angle=float(np.arctan2(axis[1], axis[0])),
            dorsal_sign=self.dorsal_sign * (-1.0 if mirror else 1.0),
            crl_points=t(self.crl_points),
            crl_mm=self.crl_mm,
            maturity=self.maturity,
        )

    def mask_outlines(self) -> list[np.ndarray]:
        return [self.head, self.body, *(self.limbs if self.limbs_in_mask else ())]

    @property
    def area_mm2(self) -> float:
        return _polygon_area(self.head) + _polygon_area(self.body) * 0.95


def _polygon_area(p: np.ndarray) -> float:
    x, y = p[:, 0], p[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def _ripple(rng: np.random.Generator, angles: np.ndarray, amplitude: float, orders: range) -> np.ndarray:
    out = np.zeros_like(angles)
    for k in orders:
        out += rng.normal(0, amplitude / k) * np.cos(k * angles + rng.uniform(0, 2 * np.pi))
    return out


def _bump(angles: np.ndarray, centre: float, width: float, height: float) -> np.ndarray:
    d = np.angle(np.exp(1j * (angles - centre)))
    return height * np.exp(-0.5 * (d / width) ** 2)


def _capsule(p0: np.ndarray, p1: np.ndarray, r0: float, r1: float, n: int = 16) -> np.ndarray:
    d = p1 - p0
    length = float(np.hypot(*d)) + 1e-9
    u = d / length
    v = np.array([-u[1], u[0]])
    a = np.linspace(-np.pi / 2, np.pi / 2, n)
    cap1 = p1 + r1 * (np.cos(a)[:, None] * u + np.sin(a)[:, None] * v)
    cap0 = p0 + r0 * (-np.cos(a)[:, None] * u - np.sin(a)[:, None] * v)
    return np.vstack([cap1, cap0])


def build_fetus(crl_mm: float, rng: np.random.Generator, flexion: float | None = None) -> FetusShape:
    """A fetus with the given CRL (max Feret of head + body, in mm) in a local frame."""
    ga = robinson_ga_days(crl_mm)
    g = float(np.clip((ga - FIRST_GA_DAYS) / (LAST_GA_DAYS - FIRST_GA_DAYS), 0, 1))
    flex = float(rng.uniform(0.0, 1.0)) if flexion is None else float(flexion)

    # Everything in units of a nominal length 1; rescaled to the CRL at the end.
    body_len = 0.58 + 0.06 * g + rng.normal(0, 0.02)
    bend = (1.5 - 0.8 * g) * (0.45 + 0.75 * flex)  # total spine bend, radians
    s = np.linspace(0.0, body_len, 48)
    heading = -bend * (s / body_len - 0.5)  # ventral is -y; bend towards it
    ds = s[1] - s[0]
    centre = np.cumsum(np.stack([np.cos(heading), np.sin(heading)], 1) * ds, axis=0)
    centre -= centre[0]
    normal = np.stack([-np.sin(heading), np.cos(heading)], 1)  # dorsal
    t = s / body_len
    w_max = (0.33 - 0.03 * g) * rng.uniform(0.9, 1.1)
    width = w_max * (0.62 + 0.38 * np.sin(np.pi * np.clip(t * 0.95 + 0.05, 0, 1)) ** 0.7)
    width *= 1 + 0.04 * np.sin(2 * np.pi * (t * rng.uniform(1.5, 3) + rng.uniform()))
    width[-6:] *= np.linspace(1.0, 0.7, 6)  # neck
    dorsal_share = 0.5 + 0.05 * np.sin(np.pi * t)
    dorsal = centre + normal * (width * dorsal_share)[:, None]
    ventral = centre - normal * (width * (1 - dorsal_share))[:, None]
    # Rump: a rounded cap joining ventral to dorsal at s = 0.
    r_rump = width[0] / 2
    cap_a = np.linspace(np.pi / 2, 3 * np.pi / 2, 14)
    h0 = heading[0]
    cap = centre[0] + r_rump * np.stack([np.cos(cap_a + h0), np.sin(cap_a + h0)], 1) * [1.0, 1.0]
    body = np.vstack([dorsal, ventral[::-1], cap[::-1]])
    body += rng.normal(0, 0.003, body.shape)

    # Head: an ellipse beyond the neck, flexed towards the chest, with a face profile.
    head_a = (0.27 - 0.04 * g) * rng.uniform(0.93, 1.07)
    head_b = head_a * rng.uniform(0.74, 0.86)
    neck_dir = heading[-1] - rng.uniform(-0.15, 0.55) * (0.5 + flex)
    u = np.array([np.cos(neck_dir), np.sin(neck_dir)])
    head_c = centre[-1] + u * head_a * 0.78 + np.array([-u[1], u[0]]) * head_b * 0.12
    ang = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    # In head coordinates, angle 0 points to the crown, +pi/2 dorsal (occiput), -pi/2 ventral (face).
    rad = 1.0 + _ripple(rng, ang, 0.04, range(2, 7))
    rad += _bump(ang, 0.4, 0.5, 0.05)  # occiput / crown
    if g < 0.35:
        rad += _bump(ang, -0.25, 0.35, 0.07 * (1 - g))  # prominent midbrain at 8-9 weeks
    face = min(1.0, g / 0.45)
    rad += face * (_bump(ang, -0.7, 0.28, 0.07) + _bump(ang, -1.22, 0.07, 0.09 * face))  # forehead, nose
    rad += face * (
        -_bump(ang, -1.45, 0.05, 0.05) + _bump(ang, -1.6, 0.05, 0.04) + _bump(ang, -1.85, 0.1, 0.04)
    )  # lips, chin
    hx = head_a * rad * np.cos(ang)
    hy = head_b * rad * np.sin(ang)
    c, sn = np.cos(neck_dir), np.sin(neck_dir)
    head = head_c + np.stack([c * hx - sn * hy, sn * hx + c * hy], 1)

    # Limbs on the ventral side: buds early, arms and bent legs later.
    limbs = []
    limb_len = 0.05 + 0.17 * g
    limb_r = 0.028 + 0.01 * g
    for t_at, tilt in ((0.78, -0.6), (0.14, 0.9)):
        i = int(t_at * (len(s) - 1))
        base = ventral[i] + normal[i] * limb_r
        direction = heading[i] + np.pi / 2 * -1 + tilt * rng.uniform(0.6, 1.2)
        mid = base + limb_len * 0.6 * np.array([np.cos(direction), np.sin(direction)])
        limbs.append(_capsule(base, mid, limb_r * 1.2, limb_r))
        if g > 0.45:
            d2 = direction + (0.9 if tilt > 0 else -0.9)
            tip = mid + limb_len * 0.5 * np.array([np.cos(d2), np.sin(d2)])
            limbs.append(_capsule(mid, tip, limb_r, limb_r * 0.8))
    limbs_in_mask = g < 0.35

    spine = centre + normal * (width * dorsal_share * 0.55)[:, None]

    # Scale so the maximum Feret diameter of the mask outline equals the CRL.
    pts = np.vstack([head, body, *(limbs if limbs_in_mask else [])])
    dist = squareform(pdist(pts))
    i, j = np.unravel_index(int(np.argmax(dist)), dist.shape)
    k = crl_mm / dist[i, j]
    return FetusShape(
        head=head * k,
        body=body * k,
        limbs=tuple(limb * k for limb in limbs),
        limbs_in_mask=limbs_in_mask,
        spine=spine * k,
        head_centre=head_c * k,
        head_axes=(head_a * k, head_b * k),
        head_angle=float(neck_dir),
        dorsal_sign=1.0,
        crl_points=np.stack([pts[i], pts[j]]) * k,
        crl_mm=float(crl_mm),
        maturity=g,
    )
