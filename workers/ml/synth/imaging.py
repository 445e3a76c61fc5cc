"""B-mode image formation on the polar (depth x line) grid: physics, not added noise.

echogenicity -> depth attenuation -> real-valued random scatterers at RF sampling -> pulse-echo
point-spread function (axial: Gaussian band around 2 f0 / c; lateral: Gaussian beam) by FFT ->
envelope (the analytic signal: the Hilbert transform along depth) -> TGC and gain -> log
compression over the dynamic range -> grey map.

Two exact shortcuts keep it fast. The axial convolution and the Hilbert transform are one
multiplication in the depth spectrum (the analytic PSF is one-sided), and because the pulse is
band-limited, the complex envelope is recovered by shifting that band to zero and inverting a
short FFT: the envelope comes out already decimated, with no loss. Scatterers are real, so the
carrier (the centre frequency) shapes the speckle through the band it selects, not only through
the PSF size (FINDINGS lesson 5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.fft as sfft
from scipy import ndimage, sparse

from .profiles import SPEED_OF_SOUND_MM_PER_US, MachineProfile
from .scan_conversion import SectorGeometry, window_geometry

DISPLAY_TOP_DB = 12.0  # echogenicity 16 (a specular interface) saturates at 0 dB gain
GREY_MAP_GAMMA = 1.9  # the house grey map darkens low echoes; a profile scales it
NOISE_BELOW_TOP_DB = 44.0  # electronic noise sits this far below the top at full TGC
FLUID_ATTENUATION = 0.005  # dB/cm/MHz in amniotic fluid (tissue: about 0.5)
BONE_ATTENUATION = 6.0


@dataclass(frozen=True, eq=False)
class BeamModel:
    rf_factor: int  # RF samples per anatomy depth sample
    n_rf: int
    band: slice  # rfft bins inside the pulse band
    axial_transfer: np.ndarray  # complex64 weights of those bins
    envelope_rows: int
    placement: np.ndarray  # where each band bin goes in the baseband spectrum
    lateral_len: int  # padded FFT length across lines
    lateral_transfer: np.ndarray
    scale: float  # makes unit echogenicity give unit rms envelope
    row_interp: tuple[np.ndarray, np.ndarray]  # envelope row -> anatomy row (index, weight)
    noise_floor: float
    smoothing: tuple[float, float]  # speckle-reduction sigma in (envelope rows, lines)
    to_polar: sparse.csr_matrix  # Cartesian echo pixels -> polar anatomy samples (bilinear)
    to_pixels: sparse.csr_matrix  # polar envelope samples -> sector pixels (bilinear)


def bilinear_matrix(coords: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """Sparse (n_points x H*W) matrix that samples an H x W image bilinearly at (row, col) coords.

    Scan conversion is the same interpolation every frame: precomputed once, it is one sparse
    matrix-vector product (clamped at the edges, like mode="nearest")."""
    h, w = shape
    r = np.clip(coords[0].astype(np.float64).ravel(), 0, h - 1)
    c = np.clip(coords[1].astype(np.float64).ravel(), 0, w - 1)
    r0 = np.minimum(r.astype(np.int64), max(h - 2, 0))
    c0 = np.minimum(c.astype(np.int64), max(w - 2, 0))
    fr, fc = r - r0, c - c0
    n = r.size
    rows = np.repeat(np.arange(n), 4)
    cols = np.stack([r0 * w + c0, r0 * w + c0 + 1, (r0 + 1) * w + c0, (r0 + 1) * w + c0 + 1], 1).ravel()
    data = np.stack([(1 - fr) * (1 - fc), (1 - fr) * fc, fr * (1 - fc), fr * fc], 1).ravel()
    return sparse.csr_matrix((data.astype(np.float32), (rows, cols)), shape=(n, h * w))


@lru_cache(maxsize=64)
def beam_model(profile: MachineProfile, zoom_index: int) -> BeamModel:
    geom = window_geometry(profile, zoom_index)
    c = SPEED_OF_SOUND_MM_PER_US
    f0 = profile.center_frequency_mhz
    k0 = 2.0 * f0 / c  # round-trip spatial frequency of the carrier, cycles per mm
    sigma_k = profile.fractional_bandwidth * k0 / 2.3548
    k_lo, k_hi = max(k0 - 3.0 * sigma_k, 0.05 * k0), k0 + 3.0 * sigma_k

    dr_depth = geom.depth_range_mm / (geom.n_depth - 1)
    dr_rf_max = 1.0 / (2.05 * k_hi)  # Nyquist for the whole band
    factor = max(1, math.ceil(dr_depth / dr_rf_max))
    n_rf = geom.n_depth * factor
    dr_rf = dr_depth / factor
    dk = 1.0 / (n_rf * dr_rf)
    n_lo, n_hi = int(math.floor(k_lo / dk)), int(math.ceil(k_hi / dk)) + 1
    n_hi = min(n_hi, n_rf // 2)
    k = np.arange(n_lo, n_hi) * dk
    h_ax = np.exp(-0.5 * ((k - k0) / sigma_k) ** 2)
    m_env = sfft.next_fast_len(max(n_hi - n_lo + 8, int(geom.n_depth * 1.1)))
    n_c = int(round(k0 / dk))
    placement = np.mod(np.arange(n_lo, n_hi) - n_c, m_env)

    mid_r = 0.5 * (geom.r_min + geom.r_max)
    line_mm = mid_r * (geom.theta_max - geom.theta_min) / (geom.n_lines - 1)
    sigma_lines = profile.lateral_fwhm_mm / 2.3548 / line_mm
    lateral_len = sfft.next_fast_len(geom.n_lines + int(math.ceil(4 * sigma_lines)) + 2)
    nu = sfft.fftfreq(lateral_len)
    g_lat = np.exp(-2.0 * (math.pi * sigma_lines * nu) ** 2)

    # Power of the complex envelope for unit-variance white scatterers: E|X_k|^2 = n_rf per depth
    # bin, summed over n_lines lines by the lateral FFT, then weighted by |H|^2 |G|^2 and divided
    # by the two inverse FFT lengths squared. `scale` makes unit echogenicity give unit rms.
    var = n_rf * geom.n_lines * float(np.sum(h_ax**2)) * float(np.sum(g_lat**2)) / (m_env**2 * lateral_len**2)
    scale = 1.0 / math.sqrt(var)

    max_tgc = profile.tgc_compensation * 2.0 * f0 * profile.attenuation_db_cm_mhz * profile.max_depth_mm / 10.0
    noise_floor = 10.0 ** ((DISPLAY_TOP_DB - NOISE_BELOW_TOP_DB - max_tgc) / 10.0)

    pos = np.linspace(0.0, geom.n_depth - 1, m_env)
    i0 = np.minimum(pos.astype(np.int64), geom.n_depth - 2)
    w = (pos - i0).astype(np.float32)

    env_mm = geom.depth_range_mm / (m_env - 1)
    smoothing = (
        profile.speckle_reduction * profile.axial_fwhm_mm / env_mm,
        profile.speckle_reduction * profile.lateral_fwhm_mm / line_mm,
    )
    to_polar = bilinear_matrix(geom.echo_coords.reshape(2, -1), (geom.rows, geom.cols))
    pixel_coords = geom.pixel_polar.astype(np.float64) * np.array([[m_env - 1], [1.0]])
    to_pixels = bilinear_matrix(pixel_coords, (m_env, geom.n_lines))
    for a in (h_ax, placement, g_lat, i0, w):
        a.setflags(write=False)
    return BeamModel(
        rf_factor=factor,
        n_rf=n_rf,
        band=slice(n_lo, n_hi),
        axial_transfer=h_ax.astype(np.complex64),
        envelope_rows=m_env,
        placement=placement,
        lateral_len=lateral_len,
        lateral_transfer=g_lat.astype(np.complex64),
        scale=scale,
        row_interp=(i0, w),
        noise_floor=noise_floor,
        smoothing=smoothing,
        to_polar=to_polar,
        to_pixels=to_pixels,
    )


def attenuation_map(echo: np.ndarray) -> np.ndarray:
    """Local attenuation (dB/cm/MHz) from echogenicity: fluid barely attenuates, bone a lot."""
    alpha = FLUID_ATTENUATION + (0.5 - FLUID_ATTENUATION) * np.clip(echo * 300.0, 0.0, 1.0)
    alpha += BONE_ATTENUATION * np.clip((echo - 2.0) * 0.5, 0.0, 1.0)
    return alpha.astype(np.float32)


def envelope(
    echo: np.ndarray, profile: MachineProfile, geom: SectorGeometry, beam: BeamModel, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Detected envelope (linear, before TGC) on the (envelope rows x lines) grid, and the
    depth-dependent TGC (dB per envelope row) that compensates the mean attenuation."""
    f0 = profile.center_frequency_mhz
    dr_cm = geom.depth_range_mm / (geom.n_depth - 1) / 10.0
    alpha = attenuation_map(echo) * (profile.attenuation_db_cm_mhz / 0.5)
    att_db = 2.0 * f0 * dr_cm * np.cumsum(alpha, axis=0)
    att_db += 2.0 * f0 * profile.attenuation_db_cm_mhz * (geom.r_min - profile.probe_radius_mm) / 10.0
    power = echo * np.power(10.0, -att_db / 10.0, dtype=np.float32) + np.float32(beam.noise_floor)
    # Time-gain compensation as the sonographer (or the machine's auto-TGC) sets it: undo the
    # attenuation averaged across the lines at each depth. What remains is local: posterior
    # enhancement behind the fluid-filled sac, shadows behind bone.
    i0, w = beam.row_interp
    tgc = att_db.mean(axis=1)
    tgc_rows = (tgc[i0] * (1 - w) + tgc[i0 + 1] * w).astype(np.float32)
    amp = np.sqrt(power, dtype=np.float32)

    n_lines = geom.n_lines
    # Real-valued scatterers of zero mean and unit variance. Their distribution does not matter
    # (many per resolution cell: the echo is Gaussian either way), so the cheaper uniform is used.
    scat = rng.random((geom.n_depth, beam.rf_factor, n_lines), dtype=np.float32)
    scat -= np.float32(0.5)
    scat *= (amp * np.float32(12.0**0.5))[:, None, :]
    spec = sfft.rfft(scat.reshape(beam.n_rf, n_lines), axis=0, workers=1)[beam.band]
    spec *= beam.axial_transfer[:, None]
    spec = sfft.fft(spec, n=beam.lateral_len, axis=1, workers=1)
    spec *= beam.lateral_transfer[None, :]
    spec = sfft.ifft(spec, axis=1, workers=1)[:, :n_lines]
    base = np.zeros((beam.envelope_rows, n_lines), dtype=np.complex64)
    base[beam.placement] = spec
    env = np.abs(sfft.ifft(base, axis=0, workers=1))
    env *= np.float32(beam.scale)
    return env, tgc_rows


def log_compress(env: np.ndarray, tgc_db: np.ndarray, profile: MachineProfile, beam: BeamModel) -> np.ndarray:
    """Grey level in [0, 1] after TGC, gain, log compression and the machine's grey map."""
    gain = profile.tgc_compensation * tgc_db + np.float32(profile.gain_db)
    db = 20.0 * np.log10(env + np.float32(1e-12)) + gain[:, None]
    low = DISPLAY_TOP_DB - profile.dynamic_range_db
    grey = np.clip((db - low) / np.float32(profile.dynamic_range_db), 0.0, 1.0)
    grey = grey ** np.float32(GREY_MAP_GAMMA * profile.grey_gamma)
    if beam.smoothing[0] > 0.05:
        grey = ndimage.gaussian_filter(grey, sigma=beam.smoothing, mode="nearest")
    return grey.astype(np.float32, copy=False)


def polar_echo(echo_image: np.ndarray, geom: SectorGeometry, beam: BeamModel) -> np.ndarray:
    """Sample a Cartesian echogenicity map (image pixels) on the polar anatomy grid."""
    values = beam.to_polar @ echo_image.astype(np.float32, copy=False).ravel()
    return values.reshape(geom.n_depth, geom.n_lines)


def scan_convert(grey_polar: np.ndarray, geom: SectorGeometry, beam: BeamModel) -> np.ndarray:
    """Polar grey image -> Cartesian pixels (bilinear); 0 outside the sector."""
    out = np.zeros(geom.rows * geom.cols, dtype=np.float32)
    out[geom.sector_index] = beam.to_pixels @ grey_polar.ravel()
    return out.reshape(geom.rows, geom.cols)


def form_bmode(
    echo_image: np.ndarray, profile: MachineProfile, zoom_index: int, rng: np.random.Generator
) -> np.ndarray:
    """The whole chain: Cartesian echogenicity map -> Cartesian grey image in [0, 1]."""
    geom = window_geometry(profile, zoom_index)
    beam = beam_model(profile, zoom_index)
    echo = polar_echo(echo_image, geom, beam)
    env, tgc_db = envelope(echo, profile, geom, beam, rng)
    grey = log_compress(env, tgc_db, profile, beam)
    return scan_convert(grey, geom, beam)
