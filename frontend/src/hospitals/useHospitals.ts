import { useQuery } from "@tanstack/react-query";
import { listHospitals } from "./api";

/** Every hospital the user may see; `enabled: false` where the caller already has them. */
export function useHospitals({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: ["hospitals"], queryFn: ({ signal }) => listHospitals(signal), enabled });
}
