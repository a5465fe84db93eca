import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { describe, expect, test, vi } from 'vitest';
import Tabs from './Tabs.svelte';

const tabs = [
  { id: 'one', label: 'First' },
  { id: 'two', label: 'Second' },
  { id: 'three', label: 'Third' },
] as const;
type TabId = (typeof tabs)[number]['id'];

function setup(selected: TabId = 'one') {
  const onselect = vi.fn<(id: TabId) => void>();
  const children = createRawSnippet(() => ({ render: () => '<p>Panel body</p>' }));
  const view = render(Tabs<TabId>, { tabs, selected, label: 'Sections', onselect, children });
  return {
    onselect,
    rerender: (next: TabId) => view.rerender({ tabs, selected: next, label: 'Sections', onselect, children }),
  };
}

const tab = (name: string) => screen.getByRole('tab', { name });
const selectedTabs = () =>
  screen
    .getAllByRole('tab')
    .filter((t) => t.getAttribute('aria-selected') === 'true')
    .map((t) => t.textContent);

describe('Tabs', () => {
  test('a named tablist; the one panel is labelled by the selected tab; only that tab is in the Tab order', () => {
    setup('two');
    expect(screen.getByRole('tablist', { name: 'Sections' })).toBeTruthy();
    expect(selectedTabs()).toEqual(['Second']);
    expect(screen.getAllByRole('tabpanel')).toHaveLength(1);
    const panel = screen.getByRole('tabpanel', { name: 'Second' });
    expect(panel.textContent).toContain('Panel body');
    expect(tab('Second').getAttribute('aria-controls')).toBe(panel.id);
    expect(tab('Second').getAttribute('tabindex')).toBe('0');
    expect(tab('First').getAttribute('tabindex')).toBe('-1');
    expect(tab('Third').getAttribute('tabindex')).toBe('-1');
  });

  test('arrow keys move focus and ask the caller to select; the caller owns the selection', async () => {
    const { onselect, rerender } = setup('one');
    tab('First').focus();
    await fireEvent.keyDown(tab('First'), { key: 'ArrowRight' });
    expect(document.activeElement).toBe(tab('Second'));
    expect(onselect).toHaveBeenLastCalledWith('two');
    // Until the caller says so, the selection (and so the panel) stays where it was.
    expect(selectedTabs()).toEqual(['First']);
    expect(screen.getByRole('tabpanel', { name: 'First' })).toBeTruthy();

    await rerender('two');
    expect(selectedTabs()).toEqual(['Second']);
    await waitFor(() => expect(screen.getByRole('tabpanel', { name: 'Second' })).toBeTruthy());
    expect(tab('Second').getAttribute('tabindex')).toBe('0');
    expect(tab('First').getAttribute('tabindex')).toBe('-1');
  });

  test('ArrowLeft wraps from the first tab to the last; Home and End jump to the ends', async () => {
    const { onselect, rerender } = setup('one');
    tab('First').focus();
    await fireEvent.keyDown(tab('First'), { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(tab('Third'));
    expect(onselect).toHaveBeenLastCalledWith('three');

    await rerender('three');
    await fireEvent.keyDown(tab('Third'), { key: 'Home' });
    expect(document.activeElement).toBe(tab('First'));
    expect(onselect).toHaveBeenLastCalledWith('one');

    await rerender('one');
    await fireEvent.keyDown(tab('First'), { key: 'End' });
    expect(document.activeElement).toBe(tab('Third'));
    expect(onselect).toHaveBeenLastCalledWith('three');
  });

  test('a click selects; clicking the selected tab asks nothing', async () => {
    const { onselect } = setup('one');
    await fireEvent.click(tab('First'));
    expect(onselect).not.toHaveBeenCalled();
    await fireEvent.click(tab('Third'));
    expect(onselect).toHaveBeenCalledExactlyOnceWith('three');
  });
});
