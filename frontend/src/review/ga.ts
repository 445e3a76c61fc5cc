/**
 * GA in days from CRL in mm: the formulas of workers/ml/ga.py, for the live read-out while an expert
 * edits a mask. The server measures the stored correction itself (qa.services.reviews) with the same
 * formulas; this copy only previews it, and its tests pin it to the server's numbers.
 */

export interface GaEstimate {
  days: number;
  formula: string;
  inRange: boolean;
}

const FORMULAS: Record<string, { days: (crlMm: number) => number; range: [number, number] }> = {
  robinson: { days: (crl) => 8.052 * Math.sqrt(crl) + 23.73, range: [7, 80] },
  hadlock: {
    days: (crl) => {
      const c = crl / 10;
      return 7 * Math.exp(1.684969 + 0.315646 * c - 0.049306 * c ** 2 + 0.004057 * c ** 3 - 0.000120456 * c ** 4);
    },
    range: [2, 121],
  },
  intergrowth: { days: (crl) => 40.9041 + 3.21585 * Math.sqrt(crl) + 0.348956 * crl, range: [15, 95] },
};

export function gestationalAgeDays(crlMm: number, formula = "robinson"): GaEstimate | null {
  const known = FORMULAS[formula];
  if (!known || !Number.isFinite(crlMm) || crlMm <= 0) return null;
  return { days: known.days(crlMm), formula, inRange: known.range[0] <= crlMm && crlMm <= known.range[1] };
}
