import { TokenEntry } from './components/token-entry';
import { type HashRoute, useHashRoute } from './state/hash-route';
import { BriefView } from './views/brief-view';
import { CompareView } from './views/compare-view';
import { GraphView } from './views/graph-view';
import { HomeView } from './views/home-view';
import { RunConsoleView } from './views/run-console-view';
import { ScenarioDesignerView } from './views/scenario-designer-view';
import { SweepsView } from './views/sweeps-view';

function page(route: HashRoute) {
  const [first, second, third] = route.segments;
  if (first === 'scenarios' && second === 'new') return <ScenarioDesignerView key="new" />;
  if (first === 'scenarios' && second) {
    const version = route.query.get('version');
    return (
      <ScenarioDesignerView
        key={`${second}:${version ?? ''}`}
        scenarioId={second}
        {...(version ? { version: Number(version) } : {})}
      />
    );
  }
  if (first === 'runs' && second && third === 'graph') return <GraphView key={second} runId={second} />;
  if (first === 'runs' && second && third === 'brief') return <BriefView key={second} runId={second} />;
  if (first === 'runs' && second) return <RunConsoleView key={second} runId={second} />;
  if (first === 'compare') {
    const runs = (route.query.get('runs') ?? '').split(',').filter(Boolean);
    return <CompareView key={runs.join(',')} runIds={runs} />;
  }
  if (first === 'sweeps') return <SweepsView />;
  return <HomeView />;
}

/** The page frame: navigation, the token field, and the routed view. */
export function App() {
  const route = useHashRoute();
  const section = route.segments[0] ?? '';
  const link = (href: string, label: string, active: boolean) => (
    <a href={href} className={active ? 'active' : undefined}>
      {label}
    </a>
  );
  return (
    <div className="app">
      <header className="top-bar">
        <a className="brand" href="#/">
          Sandtable
        </a>
        <nav>
          {link('#/', 'Home', section === '')}
          {link('#/scenarios/new', 'New scenario', section === 'scenarios')}
          {link('#/compare', 'Compare', section === 'compare')}
          {link('#/sweeps', 'Sweeps', section === 'sweeps')}
        </nav>
        <TokenEntry />
      </header>
      <main>{page(route)}</main>
    </div>
  );
}
