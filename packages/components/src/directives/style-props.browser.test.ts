// styleProps: inline styles through the CSSOM only, so they survive a strict `style-src 'self'`.
import { expect } from '@esm-bundle/chai';
import { html, render } from 'lit';
import { styleProps, type StyleProps } from './style-props.js';

describe('styleProps', () => {
  it('sets, updates and removes properties through element.style, never through the style attribute', () => {
    const host = document.createElement('div');
    document.body.append(host);
    const writes: string[] = [];
    const setAttribute = Element.prototype.setAttribute;
    Element.prototype.setAttribute = function (this: Element, name: string, value: string) {
      writes.push(name);
      return setAttribute.call(this, name, value);
    };
    try {
      const show = (props: StyleProps) => render(html`<i ${styleProps(props)}></i>`, host);
      show({ background: '#4e79a7', width: '40%', '--c': '#f28e2b' });
      const i = host.querySelector('i')!;
      expect(getComputedStyle(i).backgroundColor).to.equal('rgb(78, 121, 167)');
      expect(i.style.width).to.equal('40%');
      expect(i.style.getPropertyValue('--c')).to.equal('#f28e2b');
      show({ background: '#e15759', width: null });
      expect(getComputedStyle(i).backgroundColor).to.equal('rgb(225, 87, 89)');
      expect(i.style.width).to.equal('');
      expect(i.style.getPropertyValue('--c')).to.equal('');
      expect(writes).to.not.include('style');
    } finally {
      Element.prototype.setAttribute = setAttribute;
      host.remove();
    }
  });

  it('is an element directive only', () => {
    const host = document.createElement('div');
    expect(() => render(html`<i style=${styleProps({ color: 'red' }) as unknown as string}></i>`, host)).to.throw(/element directive/);
  });
});
