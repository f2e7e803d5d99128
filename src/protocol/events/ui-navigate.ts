import * as v from 'valibot';

export const PageSchema = v.picklist(['corpus', 'model', 'train', 'attention', 'projector', 'adapt', 'runs', 'tour']);
export type Page = v.InferOutput<typeof PageSchema>;

/** The app menu (Electron) asks the renderer to show a page. */
export const UiNavigateSchema = v.object({
  type: v.literal('ui.navigate'),
  page: PageSchema,
});
