/** The workspace (and Konva with it) is loaded when an expert opens it, not with every page of the app. */
import { lazy, Suspense } from "react";
import { Loading } from "../ui/Alert";

export const REVIEW_PATH = "/review";

const ReviewPage = lazy(() => import("./ReviewPage").then((module) => ({ default: module.ReviewPage })));

export function LazyReviewPage() {
  return (
    <Suspense fallback={<Loading>Loading the workspace…</Loading>}>
      <ReviewPage />
    </Suspense>
  );
}
