// The admin views' strings (`admin.<key>`), locale fr.
export default {
  title: 'Administration',
};
