import { Link } from '@tanstack/react-router';

export function NotFound({ text }: { text: string }) {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="mt-2 muted">{text}</p>
      <Link to="/" className="btn btn-primary mt-6">
        Go to projects
      </Link>
    </div>
  );
}
