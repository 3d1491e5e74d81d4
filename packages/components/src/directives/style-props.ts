import { noChange } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';
import { LabelkitError } from '@labelkit/core';

/** CSS property names (`width`, `background-color`, `--c`) to values; `null`/`undefined` removes one. */
export type StyleProps = Readonly<Record<string, string | number | null | undefined>>;

/**
 * Sets inline styles through the CSSOM (`element.style.setProperty`), never through a `style`
 * attribute, so the elements work under `style-src 'self'` (no `'unsafe-inline'`): a strict CSP
 * blocks `style="…"` in markup and `setAttribute('style', …)`, but not `element.style`.
 * Lit's own `styleMap` is not enough: its first render writes the `style` attribute
 * (lit/lit#4719). Used as an element directive: `<i ${styleProps({ background: color })}></i>`.
 */
class StylePropsDirective extends Directive {
  /** What this directive last set, by name: an unchanged value is not set again (a scrolled list re-renders its rows every frame). */
  private applied = new Map<string, string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new LabelkitError('E_INVALID_ARGUMENT', 'styleProps() is an element directive: <el ${styleProps({…})}>.');
  }

  render(_props: StyleProps): unknown {
    return noChange;
  }

  override update(part: ElementPart, [props]: [StyleProps]): unknown {
    const { style } = part.element as HTMLElement;
    for (const name of this.applied.keys()) {
      if (props[name] == null) {
        style.removeProperty(name);
        this.applied.delete(name);
      }
    }
    for (const [name, value] of Object.entries(props)) {
      if (value == null || this.applied.get(name) === String(value)) continue;
      style.setProperty(name, String(value));
      this.applied.set(name, String(value));
    }
    return noChange;
  }
}

export const styleProps = directive(StylePropsDirective);
